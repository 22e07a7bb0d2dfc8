/**
 * Wildcards and policy variables as IAM reads them in Action, Resource and condition values.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */

export type ContextValue = string | readonly string[];

/**
 * Request context keys by lower-cased name: AWS compares key names case-insensitively. A Map is
 * one; enforcement layers a request's own keys over its principal's, kept from request to request.
 */
export interface Context {
  get(key: string): ContextValue | undefined;
  entries(): Iterable<[string, ContextValue]>;
}

export function contextOf(entries: Record<string, ContextValue | undefined>): Map<string, ContextValue> {
  const m = new Map<string, ContextValue>();
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) m.set(k.toLowerCase(), v);
  return m;
}

/** Contexts looked up in order: the first that has a key answers for it, as if later ones were spread first. */
export class LayeredContext implements Context {
  constructor(private readonly layers: readonly Context[]) {}

  get(key: string): ContextValue | undefined {
    for (const layer of this.layers) {
      const v = layer.get(key);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  entries(): Iterable<[string, ContextValue]> {
    const all = new Map<string, ContextValue>();
    for (let i = this.layers.length - 1; i >= 0; i--) for (const [k, v] of this.layers[i]!.entries()) all.set(k, v);
    return all.entries();
  }
}

/** A compiled wildcard pattern: `*` is any run of characters, `?` any one character. */
export type Matcher = (value: string) => boolean;

export function glob(pattern: string, ignoreCase = false): Matcher {
  if (pattern === '*') return () => true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    const literal = unescapeLiterals(pattern);
    if (!ignoreCase) return (v) => v === literal;
    const lower = literal.toLowerCase();
    return (v) => v.length === lower.length && v.toLowerCase() === lower;
  }
  const body = unescapeLiterals(
    pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]'),
    (c) => `\\${c}`,
  );
  const re = new RegExp(`^${body}$`, ignoreCase ? 'i' : '');
  // Most patterns start with literal text (`s3:Get*`): values not starting with it are refused
  // without running the expression. Only ASCII heads, whose case folds one to one.
  const head = /^[\x20-\x7e]*/.exec(pattern.slice(0, pattern.search(/[*?$]/)))![0];
  if (head.length === 0) return (v) => re.test(v);
  const folded = ignoreCase ? head.toLowerCase() : head;
  return (v) => startsWith(v, folded, ignoreCase) && re.test(v);
}

/** Whether `v` starts with `head`; with `ignoreCase`, `head` is lower-case ASCII and `v`'s ASCII letters are folded. */
function startsWith(v: string, head: string, ignoreCase: boolean): boolean {
  if (v.length < head.length) return false;
  for (let i = 0; i < head.length; i++) {
    let c = v.charCodeAt(i);
    if (ignoreCase && c >= 65 && c <= 90) c += 32;
    if (c !== head.charCodeAt(i)) return false;
  }
  return true;
}

export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  return glob(pattern, ignoreCase)(value);
}

/**
 * ARNs match segment by segment: a wildcard never spans the colons of partition, service,
 * region and account, but may span them inside the resource part.
 */
export function arnMatcher(pattern: string): Matcher {
  if (pattern === '*') return () => true;
  const p = splitArn(pattern);
  if (!p) return () => false;
  const segments = p.map((s) => glob(s));
  // Read segment by segment in place: resources are matched on every request.
  return (arn) => {
    let start = 0;
    for (let i = 0; i < 5; i++) {
      const end = arn.indexOf(':', start);
      if (end < 0 || !segments[i]!(arn.slice(start, end))) return false;
      start = end + 1;
    }
    return segments[5]!(arn.slice(start));
  };
}

export function arnMatches(pattern: string, arn: string): boolean {
  return arnMatcher(pattern)(arn);
}

function splitArn(text: string): string[] | undefined {
  const parts = text.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

// `${*}` and `${?}` stand for the characters themselves, never wildcards: substitution marks them
// with private-use characters that the matchers turn back into literals.
const LITERAL_STAR = '\uE000';
const LITERAL_QUESTION = '\uE001';

function unescapeLiterals(text: string, wrap: (c: string) => string = (c) => c): string {
  return text.replaceAll(LITERAL_STAR, wrap('*')).replaceAll(LITERAL_QUESTION, wrap('?'));
}

/**
 * Replaces `${aws:username}`-style variables with the request's values. Returns undefined when
 * a variable has no value and no default: the element then matches nothing, as in AWS.
 * `${*}`, `${?}` and `${$}` stand for the literal characters.
 */
export function substitute(text: string, context: Context): string | undefined {
  if (!text.includes('${')) return text;
  let missing = false;
  const out = text.replace(/\$\{([^}]*)\}/g, (_m, inner: string) => {
    if (inner === '*') return LITERAL_STAR;
    if (inner === '?') return LITERAL_QUESTION;
    if (inner === '$') return '$';
    const [key, fallback] = splitDefault(inner);
    const v = context.get(key.toLowerCase());
    if (typeof v === 'string') return v;
    if (fallback !== undefined) return fallback;
    missing = true;
    return '';
  });
  return missing ? undefined : out;
}

/** Substitution for plain values (condition values compared with StringEquals and the like). */
export function substituteValue(text: string, context: Context): string | undefined {
  const out = substitute(text, context);
  return out === undefined ? undefined : unescapeLiterals(out);
}

function splitDefault(inner: string): [string, string | undefined] {
  const m = /^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$/.exec(inner);
  return m ? [m[1]!, m[2]!] : [inner.trim(), undefined];
}
