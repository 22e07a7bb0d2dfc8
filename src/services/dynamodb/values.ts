import type { AttributeValue } from '../../generated/types/dynamodb.js';
import { AwsError } from '../../protocols/errors.js';
import { canonicalNumber, compareNumbers, numberKey, numberSize } from './numbers.js';

/**
 * Attribute values as the wire carries them ({S}, {N}, {B}, {SS}, ...), checked, measured,
 * compared and encoded for storage. Numbers are kept as canonical decimal strings.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
 */
export type Value = AttributeValue;
export type Item = Record<string, Value>;
export type TypeName = 'S' | 'N' | 'B' | 'SS' | 'NS' | 'BS' | 'M' | 'L' | 'NULL' | 'BOOL';
const TYPES: readonly TypeName[] = ['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL'];

export const MAX_ITEM_BYTES = 400 * 1024;
/** DynamoDB's words for a value nested deeper than 32 levels of lists and maps (as PutItem answers). */
const TOO_DEEP = 'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit';

export function invalid(message: string): AwsError {
  return new AwsError('ValidationException', message);
}

const TYPE_NAMES: ReadonlySet<string> = new Set(TYPES);

/** The value's type: its one member that names a type (walking the members it has, not all ten types). */
export function typeOf(v: Value): TypeName {
  const t = setType(v);
  if (!t) throw invalid('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  return t;
}

/** The first member that names a type and is set, and whether another one is set too. */
function setType(v: Value, exclusive = false): TypeName | undefined {
  let type: TypeName | undefined;
  for (const k in v) {
    if ((v as Record<string, unknown>)[k] === undefined || !TYPE_NAMES.has(k)) continue;
    if (!exclusive) return k as TypeName;
    if (type) throw invalid('Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes');
    type = k as TypeName;
  }
  return type;
}

/**
 * Documents nest at most 32 levels deep, counting the attribute itself as level 1: an attribute
 * value of 31 nested lists or maps (its innermost elements at level 32) is the deepest accepted,
 * as real DynamoDB answers (the Parity Suite's recordings). A list or map at `depth` holds
 * elements at level depth + 2. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
 */
const MAX_LEVELS = 32;
const MAX_NESTING = MAX_LEVELS - 1;

/**
 * A set with its members in DynamoDB's order, which reads give back whatever order they were
 * written in: strings and binaries bytewise (UTF-8 for strings), numbers by value (the Parity
 * Suite's recordings, eu-west-2, 2026-10). A set already in order is returned as it is.
 */
export function setInOrder(v: Value): Value {
  const inOrder = <T>(members: T[], compare: (a: T, b: T) => number) =>
    members.every((m, i) => i === 0 || compare(members[i - 1]!, m) < 0) ? members : [...members].sort(compare);
  if (v.SS) {
    const ss = inOrder(v.SS, (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return ss === v.SS ? v : { SS: ss };
  }
  if (v.NS) {
    const ns = inOrder(v.NS, compareNumbers);
    return ns === v.NS ? v : { NS: ns };
  }
  if (v.BS) {
    const bs = inOrder(v.BS, Buffer.compare);
    return bs === v.BS ? v : { BS: bs };
  }
  return v;
}

/**
 * Two generations of DynamoDB's value checks answer today, in different words (the Parity Suite's
 * recordings in four regions, 2026-10). The current one judges PutItem, UpdateItem, DeleteItem,
 * GetItem, BatchGetItem and Query; the older one, the default here, BatchWriteItem, the
 * transactions, Scan's expression values and PartiQL's parameters. The older one writes an empty
 * number without the colon, computes a number's magnitude in 32 bits as Java's BigDecimal does
 * (1e2147483647 wraps to an underflow), and lists a set with a repeated member as it was sent.
 */
export type Layer = 'current' | 'older';

const UNDERFLOW = 'Number underflow. Attempting to store a number with magnitude smaller than supported range';
const INT32_MAX = 2 ** 31 - 1;
const DUPLICATES = 'One or more parameter values were invalid: Input collection';

function checkNumber(text: string, layer: Layer): string {
  if (layer === 'older') checkAsBigDecimal(text);
  return canonicalNumber(text);
}

/**
 * A number as the older checks (and PartiQL's parameters) read it, the way Java's BigDecimal reads
 * a string: an empty one cannot be converted (the message stops before its colon, unlike an
 * attribute value's), an exponent or scale past a 32-bit integer cannot be converted either, and the
 * magnitude (precision less scale) is computed in 32 bits, so 1e2147483647 wraps to an underflow
 * (the Parity Suite's recordings, eu-west-2 and us-east-1). Text that is no number is left to canonicalNumber.
 */
export function checkAsBigDecimal(text: string): void {
  if (text === '') throw invalid('The parameter cannot be converted to a numeric value');
  const m = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || m[1]! + (m[2] ?? '') === '') return;
  const exp = Number(m[3] ?? '0');
  const scale = (m[2]?.length ?? 0) - exp;
  if (exp < -INT32_MAX - 1 || exp > INT32_MAX || scale < -INT32_MAX - 1 || scale > INT32_MAX) {
    throw invalid(`The parameter cannot be converted to a numeric value: ${text}`);
  }
  const precision = (m[1]! + (m[2] ?? '')).replace(/^0+(?=.)/, '').length;
  if (precision - scale > INT32_MAX) throw invalid(UNDERFLOW);
}

/**
 * The current layer's list of a set with a repeated member: the members met before the repeat in
 * order, then the repeat, then the rest as sent (SS b, a, b reads ["a", "b", "b"]).
 */
function listedAtRepeat<T>(members: T[], key: (m: T) => string, order: (a: T, b: T) => number): T[] | undefined {
  const seen = new Set<string>();
  for (const [i, m] of members.entries()) {
    if (seen.has(key(m))) return [...members.slice(0, i).sort(order), m, ...members.slice(i + 1)];
    seen.add(key(m));
  }
  return undefined;
}

/** Checks a client's value (exactly one type, no empty or duplicate sets, valid numbers) and returns it canonical. */
export function checkValue(v: Value, layer: Layer = 'older', depth = 0): Value {
  const type = setType(v, true);
  if (!type) throw invalid('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  switch (type) {
    case 'N': {
      const n = checkNumber(v.N!, layer);
      return n === v.N ? v : { N: n };
    }
    case 'NULL':
      if (v.NULL !== true) throw invalid('One or more parameter values were invalid: Null attribute value types must have the value of true');
      return v;
    case 'SS': {
      // Empty members are values like any other, since empty strings and binaries are (2020).
      if (v.SS!.length === 0) throw invalid('One or more parameter values were invalid: An string set  may not be empty');
      const repeat = listedAtRepeat(v.SS!, (s) => s, (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      if (repeat) {
        throw invalid(`${DUPLICATES} [${layer === 'older' ? v.SS!.join(', ') : repeat.map((s) => JSON.stringify(s)).join(', ')}] contains duplicates.`);
      }
      return setInOrder(v);
    }
    case 'NS': {
      if (v.NS!.length === 0) throw invalid('One or more parameter values were invalid: An number set  may not be empty');
      const ns = v.NS!.map((n) => checkNumber(n, layer));
      if (new Set(ns).size !== ns.length) throw invalid(layer === 'older' ? 'Input collection contains duplicates' : `${DUPLICATES} contains duplicates.`);
      return setInOrder({ NS: ns });
    }
    case 'BS': {
      if (v.BS!.length === 0) throw invalid('One or more parameter values were invalid: Binary sets should not be empty');
      const repeat = listedAtRepeat(v.BS!, (b) => b.toString('base64'), Buffer.compare);
      if (repeat) {
        const listed = layer === 'older' ? v.BS!.map((b) => b.toString('base64')).join(', ') : repeat.map((b) => `"${b.toString('base64')}"`).join(',');
        throw invalid(`${DUPLICATES} [${listed}]of type BS contains duplicates.`);
      }
      return setInOrder(v);
    }
    case 'M': {
      if (depth >= MAX_NESTING) throw invalid(TOO_DEEP);
      const out: Item = {};
      for (const [k, e] of Object.entries(v.M!)) out[k] = checkValue(e, layer, depth + 1);
      return { M: out };
    }
    case 'L':
      if (depth >= MAX_NESTING) throw invalid(TOO_DEEP);
      return { L: v.L!.map((e) => checkValue(e, layer, depth + 1)) };
    default:
      return v;
  }
}

export function checkItem(item: Item, layer: Layer = 'older'): Item {
  const out: Item = {};
  for (const k in item) out[k] = checkValue(item[k]!, layer);
  return out;
}

/** Size as DynamoDB bills and limits it: names plus values, with 3 bytes per list or map and 1 per element. */
export function valueSize(v: Value): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return numberSize(v.N);
  if (v.B !== undefined) return v.B.length;
  if (v.SS !== undefined) return v.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((n, s) => n + numberSize(s), 0);
  if (v.BS !== undefined) return v.BS.reduce((n, b) => n + b.length, 0);
  if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((n, [k, e]) => n + Buffer.byteLength(k) + valueSize(e) + 1, 0);
  if (v.L !== undefined) return 3 + v.L.reduce((n, e) => n + valueSize(e) + 1, 0);
  return 1;
}

export function itemSize(item: Item): number {
  let n = 0;
  for (const k in item) n += Buffer.byteLength(k) + valueSize(item[k]!);
  return n;
}

/** Deep equality with DynamoDB's meaning: numbers by value, sets regardless of order. */
export function valuesEqual(a: Value, b: Value): boolean {
  const ta = typeOf(a);
  if (ta !== typeOf(b)) return false;
  switch (ta) {
    case 'S': return a.S === b.S;
    case 'N': return compareNumbers(a.N!, b.N!) === 0;
    case 'B': return a.B!.equals(b.B!);
    case 'BOOL': return a.BOOL === b.BOOL;
    case 'NULL': return true;
    case 'SS': return a.SS!.length === b.SS!.length && a.SS!.every((s) => b.SS!.includes(s));
    case 'NS': return a.NS!.length === b.NS!.length && a.NS!.every((s) => b.NS!.some((t) => compareNumbers(s, t) === 0));
    case 'BS': return a.BS!.length === b.BS!.length && a.BS!.every((s) => b.BS!.some((t) => s.equals(t)));
    case 'L': return a.L!.length === b.L!.length && a.L!.every((e, i) => valuesEqual(e, b.L![i]!));
    case 'M': {
      const ka = Object.keys(a.M!);
      return ka.length === Object.keys(b.M!).length && ka.every((k) => b.M![k] !== undefined && valuesEqual(a.M![k]!, b.M![k]!));
    }
  }
}

/** Order of two scalars of the same type (S by UTF-8 bytes, N numerically, B bytewise); undefined when not comparable. */
export function compareValues(a: Value, b: Value): number | undefined {
  if (a.N !== undefined && b.N !== undefined) return compareNumbers(a.N, b.N);
  if (a.S !== undefined && b.S !== undefined) return Buffer.compare(Buffer.from(a.S), Buffer.from(b.S));
  if (a.B !== undefined && b.B !== undefined) return Buffer.compare(a.B, b.B);
  return undefined;
}

/** A key attribute's bytes in storage order: UTF-8 for S, raw for B, the order-preserving encoding for N. */
export function keyBytes(v: Value): Buffer {
  if (v.S !== undefined) return Buffer.from(v.S);
  if (v.B !== undefined) return v.B;
  return numberKey(v.N!);
}

/** The length of keyBytes(v), without making them for a string. */
export function keyByteLength(v: Value): number {
  return v.S !== undefined ? Buffer.byteLength(v.S) : keyBytes(v).length;
}

/** Items are stored as JSON with binaries in base64, exactly as the JSON protocol writes them. */
export function encodeItem(item: Item): string {
  return JSON.stringify(wireItem(item));
}

/**
 * The item as JSON carries it: binaries as base64 strings. An item without binaries is returned
 * as it is, so the common case costs one walk and no copy.
 */
export function wireItem(item: Item): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const k in item) {
    const v = item[k]!;
    const w = wireValue(v);
    if (w !== v) (out ??= { ...item })[k] = w;
  }
  return out ?? item;
}

function wireValue(v: Value): unknown {
  if (v.B !== undefined) return { B: v.B.toString('base64') };
  if (v.BS !== undefined) return { BS: v.BS.map((b) => b.toString('base64')) };
  if (v.M !== undefined) {
    const m = wireItem(v.M);
    return m === v.M ? v : { M: m };
  }
  if (v.L !== undefined) {
    let changed = false;
    const l = v.L.map((e) => {
      const w = wireValue(e);
      if (w !== e) changed = true;
      return w;
    });
    return changed ? { L: l } : v;
  }
  return v;
}

export function decodeItem(text: string): Item {
  return reviveItem(JSON.parse(text) as Item);
}

/** Turns the base64 binaries of a JSON-parsed item back into Buffers, in place. */
export function reviveItem(item: Record<string, unknown>): Item {
  for (const k of Object.keys(item)) item[k] = reviveValue(item[k] as Record<string, unknown>);
  return item as Item;
}

function reviveValue(v: Record<string, unknown>): Value {
  if (typeof v['B'] === 'string') return { B: Buffer.from(v['B'], 'base64') };
  if (Array.isArray(v['BS'])) return { BS: (v['BS'] as string[]).map((b) => Buffer.from(b, 'base64')) };
  if (v['M']) return { M: reviveItem(v['M'] as Record<string, unknown>) };
  if (Array.isArray(v['L'])) return { L: (v['L'] as Record<string, unknown>[]).map(reviveValue) };
  return v as Value;
}

/** A copy safe to mutate (update expressions work on copies so a failed condition changes nothing). */
export function cloneItem(item: Item): Item {
  return decodeItem(encodeItem(item));
}

/** How DynamoDB shows a value in messages: `{S:abc}`-like, as in "AttributeValue: {N:5}". */
export function showValue(v: Value): string {
  const t = typeOf(v);
  const raw = (v as Record<string, unknown>)[t];
  return `{${t}:${Buffer.isBuffer(raw) ? raw.toString('base64') : Array.isArray(raw) ? `[${raw.join(', ')}]` : typeof raw === 'object' ? JSON.stringify(raw) : String(raw)}}`;
}
