import { AwsError } from '../../protocols/errors.js';
import type { Condition, Operand } from './expressions/parser.js';
import type { Statement } from './partiql.js';
import { checkKey, tableKey, type IndexDef, type Table } from './table.js';
import { keyBytes, type Item, type Value } from './values.js';

/**
 * What a PartiQL WHERE names: the one item a write or a single-item read acts on, the key ranges
 * a SELECT reads (which must not overlap), and the attributes a read needs from an index.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.select.html
 */
const invalid = (m: string) => new AwsError('ValidationException', m);

/**
 * The key attributes a write's WHERE pins with `=` at its top level, whether or not that is the
 * whole key. A write acts on one item, so two values for one key attribute are refused.
 */
export function whereKey(t: Table, where: Condition | undefined): Item {
  const key: Item = {};
  for (const c of where ? conjuncts(where) : []) {
    const pin = pinned(t, c, 'equality');
    if (!pin) continue;
    const [attr, value] = pin;
    if (key[attr] && JSON.stringify(key[attr]) !== JSON.stringify(value)) {
      throw invalid(`Multiple conditions on same key ${attr}. Only single item Update/Insert/Delete are supported`);
    }
    key[attr] = value;
  }
  return key;
}

/** The full primary key a write must pin with equalities. */
export function pinnedKey(t: Table, where: Condition | undefined): Item {
  const key = whereKey(t, where);
  if (!complete(t, key)) throw invalid('Where clause does not contain a mandatory equality on all key attributes');
  checkKey(t, key);
  return key;
}

/** The key attribute a condition's `attr = value`, or `attr IN [value]`, pins, if it pins one. */
function pinned(t: Table, c: Condition, ops: 'equality' | 'equality or IN'): [string, Value] | undefined {
  const k = tableKey(t);
  const isKey = (o: Operand): o is Operand & { kind: 'path' } => o.kind === 'path' && o.path.length === 1 && (o.path[0] === k.hash || o.path[0] === k.range);
  let a: Operand | undefined;
  let b: Operand | undefined;
  if (c.kind === 'compare' && c.op === '=') [a, b] = isKey(c.args[0]) ? c.args : [c.args[1], c.args[0]];
  else if (c.kind === 'in' && ops === 'equality or IN' && c.args.length === 2) [a, b] = c.args;
  if (!a || !b || !isKey(a) || b.kind !== 'value') return undefined;
  return [a.path[0] as string, b.value];
}

/** A WHERE's conditions joined by AND at its top level. */
function conjuncts(c: Condition): Condition[] {
  return c.kind === 'and' ? c.args.flatMap((x) => conjuncts(x as Condition)) : [c];
}

/** Whether a key has a value for each attribute of the table's primary key. */
function complete(t: Table, key: Item): boolean {
  const k = tableKey(t);
  return key[k.hash] !== undefined && (!k.range || key[k.range] !== undefined);
}

/**
 * The item a SELECT in ExecuteTransaction or BatchExecuteStatement reads. DynamoDB reads one item
 * by its key there and nothing else: the WHERE must pin the whole primary key, each attribute
 * with `=` or an IN of one value, and hold no other condition nor a second value for a key
 * attribute (the Parity Suite's recordings); otherwise there is no key.
 */
export function selectKey(t: Table, s: Statement & { kind: 'select' }): Item | undefined {
  if (s.index !== undefined || !s.where) return undefined;
  const key: Item = {};
  for (const c of conjuncts(s.where)) {
    const pin = pinned(t, c, 'equality or IN');
    if (!pin) return undefined;
    const [attr, value] = pin;
    if (key[attr] && JSON.stringify(key[attr]) !== JSON.stringify(value)) return undefined;
    key[attr] = value;
  }
  return complete(t, key) ? key : undefined;
}

/**
 * The item an `EXISTS(SELECT ...)` checks, and whether it names one: each key attribute's first
 * `=` at the WHERE's top level, with at least one further condition for the check to test.
 */
export function existsKey(t: Table, where: Condition | undefined): Item | undefined {
  const key: Item = {};
  let conditions = 0;
  for (const c of where ? conjuncts(where) : []) {
    const pin = pinned(t, c, 'equality');
    if (pin && key[pin[0]] === undefined) key[pin[0]] = pin[1];
    else conditions++;
  }
  return complete(t, key) && conditions > 0 ? key : undefined;
}

/** A value's place in key order, for the types a key can have. */
function keyOrder(o: Operand | undefined): Buffer | undefined {
  return o?.kind === 'value' && (o.value.S !== undefined || o.value.N !== undefined || o.value.B !== undefined) ? keyBytes(o.value) : undefined;
}

/** One end of a sort-key range, in the key's byte order; a missing end is unbounded. */
interface Bound {
  at: Buffer;
  inclusive: boolean;
}

interface KeyRange {
  lo?: Bound | undefined;
  hi?: Bound | undefined;
}

/** The narrower of two lower (sign 1) or upper (sign -1) bounds. */
function narrower(a: Bound | undefined, b: Bound | undefined, sign: 1 | -1): Bound | undefined {
  if (!a || !b) return a ?? b;
  const c = Buffer.compare(a.at, b.at) * sign;
  return c > 0 || (c === 0 && !a.inclusive) ? a : b;
}

function intersect(a: KeyRange, b: KeyRange): KeyRange {
  return { lo: narrower(a.lo, b.lo, 1), hi: narrower(a.hi, b.hi, -1) };
}

function isEmpty(r: KeyRange): boolean {
  if (!r.lo || !r.hi) return false;
  const c = Buffer.compare(r.lo.at, r.hi.at);
  return c > 0 || (c === 0 && !(r.lo.inclusive && r.hi.inclusive));
}

/** The sort-key range one condition on the sort key allows, or undefined if it does not bound it. */
function rangeOf(c: Condition, range: string): KeyRange | undefined {
  const on = (o: Operand | undefined) => o?.kind === 'path' && o.path.length === 1 && o.path[0] === range;
  if (c.kind === 'compare' && c.op !== '<>') {
    const [a, b] = c.args;
    const flipped = !on(a) && on(b);
    const v = (on(a) || flipped) && keyOrder(flipped ? a : b);
    if (!v) return undefined;
    const op = flipped ? ({ '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const)[c.op] : c.op;
    const bound = { at: v, inclusive: op === '=' || op === '<=' || op === '>=' };
    return op === '=' ? { lo: bound, hi: bound } : op === '<' || op === '<=' ? { hi: bound } : { lo: bound };
  }
  if (c.kind === 'between' && on(c.args[0])) {
    const lo = keyOrder(c.args[1]);
    const hi = keyOrder(c.args[2]);
    return lo && hi ? { lo: { at: lo, inclusive: true }, hi: { at: hi, inclusive: true } } : undefined;
  }
  const prefix = c.kind === 'call' && c.name === 'begins_with' && on(c.args[0]) ? keyOrder(c.args[1]) : undefined;
  if (prefix) {
    // Every key with the prefix sorts below the prefix with its last byte that can grow grown.
    const end = Buffer.from(prefix);
    let n = end.length;
    while (n > 0 && end[n - 1] === 0xff) n--;
    if (n > 0) end[n - 1]!++;
    return { lo: { at: prefix, inclusive: true }, hi: n > 0 ? { at: end.subarray(0, n), inclusive: false } : undefined };
  }
  return undefined;
}

/** Whether a condition mentions the attribute, anywhere in it. */
function mentions(c: Condition | Operand, attr: string): boolean {
  if (c.kind === 'path') return c.path[0] === attr;
  if (c.kind === 'value') return false;
  return (c.args as (Condition | Operand)[]).some((x) => mentions(x, attr));
}

/**
 * A WHERE as OR of AND-ed conditions, with an IN on a key attribute read as one `=` per value.
 * An OR that names no key attribute stays whole: it filters what the reads find.
 */
function disjuncts(c: Condition, keys: (string | undefined)[]): Condition[][] {
  if (c.kind === 'or' && keys.some((k) => k !== undefined && mentions(c, k))) return [...disjuncts(c.args[0], keys), ...disjuncts(c.args[1], keys)];
  if (c.kind === 'and') {
    const right = disjuncts(c.args[1], keys);
    return disjuncts(c.args[0], keys).flatMap((l) => right.map((r) => [...l, ...r]));
  }
  const [left, ...values] = c.args as Operand[];
  if (c.kind === 'in' && left?.kind === 'path' && left.path.length === 1 && keys.includes(left.path[0] as string)) {
    return values.map((v) => [{ kind: 'compare', op: '=', args: [left, v] }]);
  }
  return [[c]];
}

/**
 * DynamoDB reads a SELECT whose every OR branch pins the partition key as one key-range read per
 * branch, and refuses the statement when two reads of one partition overlap on the sort key.
 * A branch without that equality, or with a negated or <> condition on the sort key, makes the
 * statement a scan, which nothing overlaps (the Parity Suite's recordings).
 */
export function checkOverlap(key: { hash: string; range: string | undefined }, where: Condition | undefined): void {
  if (!where) return;
  const reads = new Map<string, KeyRange[]>();
  for (const branch of disjuncts(where, [key.hash, key.range])) {
    const hashes = new Set<string>();
    let range: KeyRange = {};
    for (const c of branch) {
      const pin = c.kind === 'compare' && c.op === '=' ? c.args : undefined;
      const value = keyOrder(pin?.find((o) => o.kind === 'value'));
      if (pin && value && pin.some((o) => o.kind === 'path' && o.path.length === 1 && o.path[0] === key.hash)) {
        hashes.add(value.toString('hex'));
      } else if (key.range && ((c.kind === 'not' && mentions(c, key.range)) || (c.kind === 'compare' && c.op === '<>' && mentions(c, key.range)))) {
        return;
      } else if (key.range) {
        const r = rangeOf(c, key.range);
        if (r) range = intersect(range, r);
      }
    }
    if (hashes.size === 0) return;
    // Two values for the partition key, or an empty sort-key range: a branch that reads nothing.
    if (hashes.size > 1 || isEmpty(range)) continue;
    const [hash] = hashes;
    const others = reads.get(hash!) ?? [];
    if (others.some((o) => !isEmpty(intersect(o, range)))) throw invalid('Overlapping conditions with range keys are not supported in where clause');
    reads.set(hash!, [...others, range]);
  }
}

/**
 * The attributes an index holds, when it does not project them all: both keys and its
 * NonKeyAttributes. A read of a local index still reaches the rest on the table's item.
 */
export function projectedBy(t: Table, index: IndexDef | undefined): Set<string> | undefined {
  if (!index || index.projection.ProjectionType === 'ALL') return undefined;
  const k = tableKey(t);
  return new Set([k.hash, index.hash, ...[k.range, index.range].filter((a) => a !== undefined), ...(index.projection.NonKeyAttributes ?? [])]);
}

/**
 * Strings in the order a java.util.HashSet of them iterates: by bucket of the spread String
 * hash code, in a table grown as the set grows, and in insertion order within a bucket.
 * DynamoDB lists attribute names (and picks among key values) in this order.
 */
function javaHashOrder(names: Iterable<string>): string[] {
  const unique = [...new Set(names)];
  let capacity = 16;
  while (unique.length > capacity * 0.75) capacity *= 2;
  const bucket = (name: string) => {
    let h = 0;
    for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + name.charCodeAt(i)) | 0;
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return unique.map((name, i) => ({ name, i, b: bucket(name) })).sort((x, y) => x.b - y.b || x.i - y.i).map((x) => x.name);
}

/** Every attribute a condition names, by the first step of each path. */
function attributesOf(c: Condition | Operand): string[] {
  if (c.kind === 'path') return [c.path[0] as string];
  if (c.kind === 'value') return [];
  return (c.args as (Condition | Operand)[]).flatMap(attributesOf);
}

/**
 * A keyed read of an index that does not project every attribute refuses a WHERE naming one it
 * does not hold, for either kind of index. DynamoDB checks one read only: of the OR branches
 * that pin the index's partition key, the first in the hash order of that key's value; a scan is
 * not checked (the Parity Suite's recordings, and their eu-west-2 characterisations).
 */
export function checkFilterAttributes(index: IndexDef, held: Set<string>, where: Condition | undefined): void {
  if (!where) return;
  const reads = new Map<string, Condition[]>();
  for (const branch of disjuncts(where, [index.hash, index.range])) {
    const pins = branch.flatMap((c) => {
      const args = c.kind === 'compare' && c.op === '=' ? c.args : [];
      const value = args.find((o) => o.kind === 'value');
      const onKey = args.some((o) => o.kind === 'path' && o.path.length === 1 && o.path[0] === index.hash);
      return onKey && value?.kind === 'value' && (value.value.S ?? value.value.N) !== undefined ? [(value.value.S ?? value.value.N)!] : [];
    });
    if (pins.length === 0) return;
    if (!reads.has(pins[0]!)) reads.set(pins[0]!, branch);
  }
  const [first] = javaHashOrder(reads.keys());
  const missing = javaHashOrder(reads.get(first!)!.flatMap(attributesOf)).filter((a) => !held.has(a));
  if (missing.length) throw invalid(`One or more parameter values were invalid: Secondary index ${index.name} does not project one or more filter attributes: [${missing.join(', ')}]`);
}
