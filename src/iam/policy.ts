import { AwsError } from '../protocols/errors.js';
import { arnMatcher, glob, type Matcher } from './match.js';
import { parseOperator, type ParsedOperator } from './conditions.js';

/**
 * IAM policy documents: parsed once into statements whose patterns are compiled, and checked
 * on every write with the reasons IAM gives in MalformedPolicyDocument.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */

export type Effect = 'Allow' | 'Deny';

/** `"*"` or principals by type (`AWS`, `Service`, `Federated`, `CanonicalUser`). */
export type Principals = '*' | Readonly<Record<string, readonly string[]>>;

export interface Condition {
  /** As written, e.g. `ForAnyValue:StringLikeIfExists`. */
  operator: string;
  key: string;
  values: readonly string[];
  /** The operator taken apart and the key lower-cased once, at parse time. */
  parsed: ParsedOperator;
  keyLower: string;
  /** Whether any value holds a policy variable (`${...}`) to substitute per request. */
  variables: boolean;
}

export interface Statement {
  sid?: string;
  effect: Effect;
  action?: readonly string[];
  notAction?: readonly string[];
  resource?: readonly string[];
  notResource?: readonly string[];
  principal?: Principals;
  notPrincipal?: Principals;
  condition: readonly Condition[];
  /** Compiled forms of the patterns above. */
  actionMatchers: readonly Matcher[];
  resourceMatchers: readonly (Matcher | undefined)[];
}

export interface Policy {
  version: '2012-10-17' | '2008-10-17';
  id?: string;
  statements: readonly Statement[];
  /** Where the policy came from, for messages and simulation results (a policy ARN or name). */
  source?: string;
  /**
   * The indexes of the statements whose Action or NotAction covers `action`. Worked out once per
   * action: a principal's policies are read on every request, and most statements name other actions.
   */
  statementsFor(action: string): readonly number[];
}

/** Whether a statement's Action (or NotAction) element covers the action. */
export function coversAction(s: Statement, action: string): boolean {
  let hit = false;
  for (const m of s.actionMatchers) {
    if (m(action)) {
      hit = true;
      break;
    }
  }
  return s.action ? hit : !hit;
}

/** Distinct actions remembered per policy; past this the memo starts over (a bound, not a working set). */
const MAX_ACTIONS = 2000;

function actionIndex(statements: readonly Statement[]): (action: string) => readonly number[] {
  const memo = new Map<string, readonly number[]>();
  return (action) => {
    let hit = memo.get(action);
    if (!hit) {
      hit = [];
      for (let i = 0; i < statements.length; i++) if (coversAction(statements[i]!, action)) (hit as number[]).push(i);
      if (memo.size >= MAX_ACTIONS) memo.clear();
      memo.set(action, hit);
    }
    return hit;
  };
}

/** What a document is for decides which elements it must and must not have. */
export type PolicyKind = 'identity' | 'resource' | 'trust';

const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition']);

export function malformed(message: string): AwsError {
  return new AwsError('MalformedPolicyDocument', message, { status: 400 });
}

/** Parses and validates a document, throwing MalformedPolicyDocument with IAM's reason. */
export function parsePolicy(text: string, kind: PolicyKind, source?: string): Policy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('This policy contains invalid Json');
  }
  if (!isObject(doc)) throw malformed('This policy contains invalid Json');
  for (const key of Object.keys(doc)) {
    if (!['Version', 'Id', 'Statement'].includes(key)) throw malformed('Syntax errors in policy.');
  }
  const version = doc['Version'] ?? '2008-10-17';
  if (version !== '2012-10-17' && version !== '2008-10-17') throw malformed('The policy failed legacy parsing');
  if (doc['Statement'] === undefined) throw malformed('Syntax errors in policy.');
  const raw = Array.isArray(doc['Statement']) ? doc['Statement'] : [doc['Statement']];
  const sids = new Set<string>();
  const statements = raw.map((s) => parseStatement(s, kind, version, sids));
  return { version, statements, ...(typeof doc['Id'] === 'string' ? { id: doc['Id'] } : {}), ...(source ? { source } : {}), statementsFor: actionIndex(statements) };
}

function parseStatement(s: unknown, kind: PolicyKind, version: string, sids: Set<string>): Statement {
  if (!isObject(s)) throw malformed('Syntax errors in policy.');
  for (const key of Object.keys(s)) if (!STATEMENT_KEYS.has(key)) throw malformed('Syntax errors in policy.');
  const sid = s['Sid'];
  if (sid !== undefined) {
    if (typeof sid !== 'string') throw malformed('Syntax errors in policy.');
    if (kind !== 'resource' && !/^[0-9A-Za-z]*$/.test(sid)) {
      throw malformed('Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*');
    }
    if (sid && sids.has(sid)) throw malformed('Statement IDs (SID) in a single policy must be unique.');
    sids.add(sid);
  }
  const effect = s['Effect'];
  if (effect !== 'Allow' && effect !== 'Deny') throw malformed(effect === undefined ? 'Missing required field Effect' : `Invalid effect: ${String(effect)}`);
  const action = strings(s, 'Action');
  const notAction = strings(s, 'NotAction');
  if (!action && !notAction) throw malformed('Policy statement must contain actions.');
  if (action && notAction) throw malformed('Syntax errors in policy.');
  for (const a of [...(action ?? []), ...(notAction ?? [])]) {
    if (a !== '*' && !/^[A-Za-z0-9-]+:[A-Za-z0-9*?_-]*$/.test(a)) {
      throw malformed(a.includes(':') ? `Action ${a} contains invalid characters.` : 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
    }
  }
  const resource = strings(s, 'Resource');
  const notResource = strings(s, 'NotResource');
  if (resource && notResource) throw malformed('Syntax errors in policy.');
  if (kind === 'trust' && (resource || notResource)) throw malformed(`Has prohibited field ${resource ? 'Resource' : 'NotResource'}`);
  if (kind !== 'trust' && !resource && !notResource) throw malformed('Policy statement must contain resources.');
  for (const r of [...(resource ?? []), ...(notResource ?? [])]) {
    if (r !== '*' && !/^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+/.test(r) && !r.startsWith('arn:*')) {
      throw malformed(`Resource ${r} must be in ARN format or "*".`);
    }
  }
  const principal = principals(s, 'Principal');
  const notPrincipal = principals(s, 'NotPrincipal');
  if (kind === 'identity' && (principal || notPrincipal)) throw malformed('Policy document should not specify a principal.');
  if (kind !== 'identity' && !principal && !notPrincipal) throw malformed('Missing required field Principal');
  if (principal && notPrincipal) throw malformed('Syntax errors in policy.');
  const condition = conditions(s['Condition']);
  const variables = version === '2012-10-17';
  return {
    ...(sid ? { sid: sid as string } : {}),
    effect,
    ...(action ? { action } : {}),
    ...(notAction ? { notAction } : {}),
    ...(resource ? { resource } : {}),
    ...(notResource ? { notResource } : {}),
    ...(principal ? { principal } : {}),
    ...(notPrincipal ? { notPrincipal } : {}),
    condition,
    actionMatchers: (action ?? notAction ?? []).map((a) => glob(a, true)),
    // Patterns with policy variables are compiled per request, after substitution.
    resourceMatchers: (resource ?? notResource ?? []).map((r) => (variables && r.includes('${') ? undefined : arnMatcher(r))),
  };
}

function strings(s: Record<string, unknown>, key: string): string[] | undefined {
  const v = s[key];
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || !list.every((x) => typeof x === 'string')) throw malformed('Syntax errors in policy.');
  return list as string[];
}

function principals(s: Record<string, unknown>, key: string): Principals | undefined {
  const v = s[key];
  if (v === undefined) return undefined;
  if (v === '*') return '*';
  if (!isObject(v)) throw malformed(`Invalid principal in policy: ${JSON.stringify(v)}`);
  const out: Record<string, string[]> = {};
  for (const [type, value] of Object.entries(v)) {
    if (!['AWS', 'Service', 'Federated', 'CanonicalUser'].includes(type)) throw malformed(`Invalid principal in policy: "${type}"`);
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((x) => typeof x === 'string')) throw malformed(`Invalid principal in policy: "${type}"`);
    for (const p of list as string[]) {
      // Account ids, IAM and STS principal ARNs (CloudFront origin identities live in account `cloudfront`).
      if (type === 'AWS' && p !== '*' && !/^\d{12}$/.test(p) && !/^arn:[^:]+:(iam|sts)::(\d{12}|\*|[a-z-]+):.+$/.test(p)) {
        throw malformed(`Invalid principal in policy: "AWS":"${p}"`);
      }
    }
    out[type] = list as string[];
  }
  return out;
}

function conditions(v: unknown): Condition[] {
  if (v === undefined) return [];
  if (!isObject(v)) throw malformed('Syntax errors in policy.');
  const out: Condition[] = [];
  for (const [operator, block] of Object.entries(v)) {
    const parsed = parseOperator(operator);
    if (!parsed) throw malformed(`Invalid Condition type : ${operator}.`);
    if (!isObject(block)) throw malformed('Syntax errors in policy.');
    for (const [key, values] of Object.entries(block)) {
      if (!/^[A-Za-z0-9.-]+:./.test(key)) throw malformed('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
      const list = Array.isArray(values) ? values : [values];
      if (!list.every((x) => ['string', 'number', 'boolean'].includes(typeof x))) throw malformed('Syntax errors in policy.');
      const strings = list.map(String);
      out.push({ operator, key, values: strings, parsed, keyLower: key.toLowerCase(), variables: strings.some((x) => x.includes('${')) });
    }
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** IAM counts a policy's size without whitespace. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
export function policySize(text: string): number {
  return text.replace(/\s+/g, '').length;
}
