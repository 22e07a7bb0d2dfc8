import { ipaddr } from '../../ipaddr.js';
import { AwsError } from '../../protocols/errors.js';

/**
 * SNS subscription filter policies: validation with AWS's messages, and matching against a
 * message's attributes (scope MessageAttributes) or its JSON body (scope MessageBody).
 * https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
 */
export type FilterPolicy = { [key: string]: unknown };
export type Scope = 'MessageAttributes' | 'MessageBody';

/** What a policy is matched against: attribute values typed as SNS types them, or the parsed body. */
export type Subject = { kind: 'attributes'; values: Record<string, { type: string; value: string }> } | { kind: 'body'; value: unknown };

const MAX_KEYS = 5;
const MAX_COMBINATIONS = 150;
const OPERATORS = new Set(['prefix', 'suffix', 'anything-but', 'numeric', 'exists', 'equals-ignore-case', 'cidr']);

const invalid = (reason: string) => new AwsError('InvalidParameter', `Invalid parameter: FilterPolicy: ${reason}`);

/** Parses and checks a policy; returns it, or throws InvalidParameter as AWS words it. */
export function parseFilterPolicy(text: string, scope: Scope): FilterPolicy {
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    throw invalid('failed to parse JSON.');
  }
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) throw invalid('Filter policy must be a JSON object.');
  const combinations = checkObject(policy as FilterPolicy, scope);
  if (leafKeys(policy as FilterPolicy) > MAX_KEYS) throw invalid(`Filter policy can not have more than ${MAX_KEYS} keys`);
  if (combinations > MAX_COMBINATIONS) throw invalid('Filter policy is too complex');
  return policy as FilterPolicy;
}

function leafKeys(policy: FilterPolicy): number {
  let n = 0;
  for (const [k, v] of Object.entries(policy)) {
    if (k === '$or') n += Math.max(...(v as FilterPolicy[]).map(leafKeys));
    else n += Array.isArray(v) ? 1 : leafKeys(v as FilterPolicy);
  }
  return n;
}

/** Checks a (nested) policy object; returns its number of value combinations, which AWS caps at 150. */
function checkObject(policy: FilterPolicy, scope: Scope): number {
  let combinations = 1;
  for (const [key, value] of Object.entries(policy)) {
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) throw invalid('Match value of $or must be an array of at least two objects');
      combinations *= value.reduce((n: number, p) => {
        if (typeof p !== 'object' || p === null || Array.isArray(p)) throw invalid('Match value of $or must be an array of objects');
        return n + checkObject(p as FilterPolicy, scope);
      }, 0);
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw invalid(`Empty arrays are not allowed`);
      for (const rule of value) checkRule(rule);
      combinations *= value.length;
    } else if (typeof value === 'object' && value !== null) {
      if (scope === 'MessageAttributes') throw new AwsError('InvalidParameter', 'Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy');
      combinations *= checkObject(value as FilterPolicy, scope);
    } else {
      throw invalid(`"${key}" must be an object or an array`);
    }
  }
  return combinations;
}

function checkRule(rule: unknown): void {
  if (rule === null || typeof rule === 'string' || typeof rule === 'number' || typeof rule === 'boolean') return;
  if (typeof rule !== 'object' || Array.isArray(rule)) throw invalid('Match value must be String, number, true, false, or null');
  const entries = Object.entries(rule as Record<string, unknown>);
  if (entries.length !== 1) throw invalid('Only one key allowed in match expression');
  const [op, arg] = entries[0]!;
  if (!OPERATORS.has(op)) throw invalid(`Unrecognized match type ${op}`);
  switch (op) {
    case 'prefix': case 'suffix': case 'equals-ignore-case':
      if (typeof arg !== 'string') throw invalid(`${op} match pattern must be a string`);
      return;
    case 'exists':
      if (typeof arg !== 'boolean') throw invalid('exists match pattern must be either true or false.');
      return;
    case 'cidr':
      if (typeof arg !== 'string' || !isCidr(arg)) throw invalid(`Malformed CIDR, one '/' required`);
      return;
    case 'anything-but':
      checkAnythingBut(arg);
      return;
    case 'numeric':
      checkNumeric(arg);
      return;
  }
}

function checkAnythingBut(arg: unknown): void {
  if (typeof arg === 'string' || typeof arg === 'number') return;
  if (Array.isArray(arg)) {
    if (arg.length === 0) throw invalid('Empty arrays are not allowed');
    if (!arg.every((v) => typeof v === 'string' || typeof v === 'number')) throw invalid('Inside anything but list, start|null|boolean is not supported.');
    return;
  }
  if (typeof arg === 'object' && arg !== null) {
    const entries = Object.entries(arg);
    const [op, v] = entries[0] ?? [];
    if (entries.length === 1 && (op === 'prefix' || op === 'suffix' || op === 'equals-ignore-case') && typeof v === 'string') return;
    throw invalid('Unsupported anything-but pattern: ' + String(op));
  }
  throw invalid('Value of anything-but must be an array or single string/number value.');
}

const COMPARATORS = new Set(['<', '<=', '=', '>', '>=']);

function checkNumeric(arg: unknown): void {
  if (!Array.isArray(arg) || (arg.length !== 2 && arg.length !== 4)) throw invalid('Value of numeric must be an array.');
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    if (typeof op !== 'string' || !COMPARATORS.has(op)) throw invalid(`Unrecognized numeric range operator: ${String(op)}`);
    if (typeof arg[i + 1] !== 'number') throw invalid(`Value of ${op} must be numeric`);
  }
  if (arg.length === 4) {
    if (arg[0] !== '>' && arg[0] !== '>=') throw invalid(`Bad numeric range operator: ${String(arg[0])}`);
    if (arg[2] !== '<' && arg[2] !== '<=') throw invalid(`Bad numeric range operator: ${String(arg[2])}`);
    if ((arg[1] as number) >= (arg[3] as number)) throw invalid('Bottom must be less than top');
  }
}

function isCidr(text: string): boolean {
  try {
    ipaddr.parseCIDR(text);
    return true;
  } catch {
    return false;
  }
}

/** A value the policy is compared with: strings and numbers are told apart as SNS tells them apart. */
type Value = string | number | boolean | null;

export function matches(policy: FilterPolicy, subject: Subject): boolean {
  return subject.kind === 'attributes' ? matchAttributes(policy, subject.values) : matchBody(policy, subject.value);
}

function matchAttributes(policy: FilterPolicy, attrs: Record<string, { type: string; value: string }>): boolean {
  return Object.entries(policy).every(([key, rules]) => {
    if (key === '$or') return (rules as FilterPolicy[]).some((p) => matchAttributes(p, attrs));
    const attr = attrs[key];
    return matchRules(rules as unknown[], attr === undefined ? undefined : attributeValues(attr));
  });
}

/** String.Array attributes match when any element does; Binary attributes never match a value. */
function attributeValues(attr: { type: string; value: string }): Value[] {
  if (attr.type.startsWith('Number')) return [Number(attr.value)];
  if (attr.type === 'String.Array') {
    try {
      const list = JSON.parse(attr.value) as unknown;
      if (Array.isArray(list)) return list.filter((v): v is Value => v === null || ['string', 'number', 'boolean'].includes(typeof v));
    } catch { /* not an array: matched as the string it is */ }
  }
  if (attr.type.startsWith('Binary')) return [];
  return [attr.value];
}

function matchBody(policy: FilterPolicy, body: unknown): boolean {
  return Object.entries(policy).every(([key, rules]) => {
    if (key === '$or') return (rules as FilterPolicy[]).some((p) => matchBody(p, body));
    const values = lookup(body, key);
    if (Array.isArray(rules)) return matchRules(rules, values.length === 0 ? undefined : values.flatMap(leafValues));
    // Arrays of objects match when any element does; lookup() looks through them.
    return values.some((v) => typeof v === 'object' && v !== null && matchBody(rules as FilterPolicy, v));
  });
}

/** The values under `key` in a JSON body, looking through arrays of objects as SNS does. */
function lookup(node: unknown, key: string): unknown[] {
  if (Array.isArray(node)) return node.flatMap((n) => lookup(n, key));
  if (typeof node === 'object' && node !== null && key in node) return [(node as Record<string, unknown>)[key]];
  return [];
}

function leafValues(v: unknown): Value[] {
  if (Array.isArray(v)) return v.flatMap(leafValues);
  return typeof v === 'object' && v !== null ? [] : [v as Value];
}

/** A key matches when any of its rules matches any of its values; `undefined` values mean the key is absent. */
function matchRules(rules: unknown[], values: Value[] | undefined): boolean {
  return rules.some((rule) => {
    if (typeof rule === 'object' && rule !== null && 'exists' in rule) return (rule as { exists: boolean }).exists === (values !== undefined);
    if (values === undefined) return false;
    if (typeof rule === 'object' && rule !== null && 'anything-but' in rule) return values.length > 0 && values.every((v) => !equalsAny((rule as Record<string, unknown>)['anything-but'], v));
    return values.some((v) => matchRule(rule, v));
  });
}

function equalsAny(arg: unknown, v: Value): boolean {
  if (Array.isArray(arg)) return arg.some((a) => a === v);
  if (typeof arg === 'object' && arg !== null) {
    if (typeof v !== 'string') return false;
    const [op, pattern] = Object.entries(arg)[0] as [string, string];
    if (op === 'prefix') return v.startsWith(pattern);
    if (op === 'suffix') return v.endsWith(pattern);
    return v.toLowerCase() === pattern.toLowerCase();
  }
  return arg === v;
}

function matchRule(rule: unknown, v: Value): boolean {
  if (rule === null || typeof rule !== 'object') return rule === v;
  const [op, arg] = Object.entries(rule)[0]!;
  switch (op) {
    case 'prefix': return typeof v === 'string' && v.startsWith(arg as string);
    case 'suffix': return typeof v === 'string' && v.endsWith(arg as string);
    case 'equals-ignore-case': return typeof v === 'string' && v.toLowerCase() === (arg as string).toLowerCase();
    case 'numeric': return typeof v === 'number' && numericMatch(arg as (string | number)[], v);
    case 'cidr': return typeof v === 'string' && inCidr(arg as string, v);
    default: return false;
  }
}

function numericMatch(arg: (string | number)[], v: number): boolean {
  for (let i = 0; i < arg.length; i += 2) {
    const n = arg[i + 1] as number;
    const ok = { '<': v < n, '<=': v <= n, '=': v === n, '>': v > n, '>=': v >= n }[arg[i] as '<'];
    if (!ok) return false;
  }
  return true;
}

function inCidr(cidr: string, address: string): boolean {
  try {
    const range = ipaddr.parseCIDR(cidr);
    const ip = ipaddr.parse(address);
    return ip.kind() === range[0].kind() && ip.match(range);
  } catch {
    return false;
  }
}
