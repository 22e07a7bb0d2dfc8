import { ipaddr } from '../ipaddr.js';
import type { IPv6 } from 'ipaddr.js';
import { arnMatches, globMatch, substitute, substituteValue, type Context } from './match.js';
import type { Condition } from './policy.js';

/**
 * The condition operators of IAM, with `...IfExists` and the `ForAnyValue:`/`ForAllValues:`
 * set qualifiers. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */

/** Does one request value match one policy value? */
type Compare = (requestValue: string, policyValue: string) => boolean;

interface Operator {
  compare: Compare;
  /** Negated operators (StringNotEquals, NotIpAddress, ...) match when no policy value matches. */
  negated: boolean;
}

const num = (s: string) => (s.trim() === '' ? NaN : Number(s));
const date = (s: string) => (/^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(s));

function numeric(test: (a: number, b: number) => boolean): Compare {
  return (r, p) => {
    const a = num(r);
    const b = num(p);
    return !Number.isNaN(a) && !Number.isNaN(b) && test(a, b);
  };
}

function dated(test: (a: number, b: number) => boolean): Compare {
  return (r, p) => {
    const a = date(r);
    const b = date(p);
    return !Number.isNaN(a) && !Number.isNaN(b) && test(a, b);
  };
}

function inCidr(r: string, p: string): boolean {
  try {
    const addr = ipaddr.process(r);
    const [range, bits] = p.includes('/') ? ipaddr.parseCIDR(p) : [ipaddr.process(p), -1];
    const rangeAddr = range.kind() === 'ipv6' && (range as IPv6).isIPv4MappedAddress() ? (range as IPv6).toIPv4Address() : range;
    if (addr.kind() !== rangeAddr.kind()) return false;
    if (bits === -1) return addr.toString() === rangeAddr.toString();
    return addr.match(rangeAddr, bits);
  } catch {
    return false;
  }
}

const eq: Compare = (r, p) => r === p;
const eqIgnoreCase: Compare = (r, p) => r.toLowerCase() === p.toLowerCase();
const like: Compare = (r, p) => globMatch(p, r);
const arnEq: Compare = (r, p) => arnMatches(p, r);

const OPERATORS: Record<string, Operator> = {
  StringEquals: { compare: eq, negated: false },
  StringNotEquals: { compare: eq, negated: true },
  StringEqualsIgnoreCase: { compare: eqIgnoreCase, negated: false },
  StringNotEqualsIgnoreCase: { compare: eqIgnoreCase, negated: true },
  StringLike: { compare: like, negated: false },
  StringNotLike: { compare: like, negated: true },
  NumericEquals: { compare: numeric((a, b) => a === b), negated: false },
  NumericNotEquals: { compare: numeric((a, b) => a === b), negated: true },
  NumericLessThan: { compare: numeric((a, b) => a < b), negated: false },
  NumericLessThanEquals: { compare: numeric((a, b) => a <= b), negated: false },
  NumericGreaterThan: { compare: numeric((a, b) => a > b), negated: false },
  NumericGreaterThanEquals: { compare: numeric((a, b) => a >= b), negated: false },
  DateEquals: { compare: dated((a, b) => a === b), negated: false },
  DateNotEquals: { compare: dated((a, b) => a === b), negated: true },
  DateLessThan: { compare: dated((a, b) => a < b), negated: false },
  DateLessThanEquals: { compare: dated((a, b) => a <= b), negated: false },
  DateGreaterThan: { compare: dated((a, b) => a > b), negated: false },
  DateGreaterThanEquals: { compare: dated((a, b) => a >= b), negated: false },
  Bool: { compare: eqIgnoreCase, negated: false },
  BinaryEquals: { compare: eq, negated: false },
  IpAddress: { compare: inCidr, negated: false },
  NotIpAddress: { compare: inCidr, negated: true },
  ArnEquals: { compare: arnEq, negated: false },
  ArnLike: { compare: arnEq, negated: false },
  ArnNotEquals: { compare: arnEq, negated: true },
  ArnNotLike: { compare: arnEq, negated: true },
};

export interface ParsedOperator {
  set?: 'ForAnyValue' | 'ForAllValues';
  name: string;
  ifExists: boolean;
}

export function parseOperator(text: string): ParsedOperator | undefined {
  const m = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/.exec(text);
  if (!m) return undefined;
  const name = m[2]!;
  if (name !== 'Null' && !OPERATORS[name]) return undefined;
  if (name === 'Null' && (m[1] || m[3])) return undefined;
  return { ...(m[1] ? { set: m[1] as ParsedOperator['set'] } : {}), name, ifExists: m[3] !== undefined };
}

/** Evaluates one condition (key + operator + values) against the request context. */
export function conditionMatches(c: Condition, context: Context, variables: boolean): boolean {
  const op = c.parsed;
  const present = context.get(c.keyLower);
  const requestValues = present === undefined ? [] : typeof present === 'string' ? [present] : present;
  if (op.name === 'Null') {
    const absent = requestValues.length === 0;
    return c.values.some((v) => (v.toLowerCase() === 'true') === absent);
  }
  const { compare, negated } = OPERATORS[op.name]!;
  const policyValues = variables && c.variables ? substituted(c, context) : c.values;
  const matchesAny = (r: string) => policyValues.some((p) => compare(r, p));
  const one = (r: string) => (negated ? !matchesAny(r) : matchesAny(r));
  if (op.set === 'ForAllValues') return requestValues.every(one);
  if (requestValues.length === 0) {
    // A missing key: IfExists passes, a negated operator passes, anything else fails.
    return op.set === undefined && (op.ifExists || negated);
  }
  if (op.set === 'ForAnyValue') return requestValues.some(one);
  return negated ? requestValues.every(one) : requestValues.some(one);
}

function substituted(c: Condition, context: Context): string[] {
  // Values of wildcard operators stay patterns after substitution (`${*}` remains a literal star).
  const sub = /Like$|^Arn/.test(c.parsed.name) ? substitute : substituteValue;
  return c.values.map((v) => sub(v, context)).filter((v): v is string => v !== undefined);
}
