import { AwsError } from '../../../protocols/errors.js';
import { addNumbers, subtractNumbers } from '../numbers.js';
import { compareValues, setInOrder, typeOf, valueSize, valuesEqual, type Item, type Value } from '../values.js';
import type { Condition, Operand, Path, UpdateAction } from './parser.js';

/** Evaluating parsed expressions against an item: conditions, update actions, projections. */
function resolve(item: Item | undefined, path: Path): Value | undefined {
  let cur: Value | undefined = item ? { M: item } : undefined;
  for (const p of path) {
    if (!cur) return undefined;
    if (typeof p === 'number') cur = cur.L?.[p];
    else cur = cur.M?.[p];
  }
  return cur;
}

function operandValue(item: Item | undefined, o: Operand): Value | undefined {
  switch (o.kind) {
    case 'path': return resolve(item, o.path);
    case 'value': return o.value;
    case 'call': {
      // Only size() is an operand in a condition.
      const v = operandValue(item, o.args[0]!);
      if (!v) return undefined;
      const n = size(v);
      return n === undefined ? undefined : { N: String(n) };
    }
    default: return undefined;
  }
}

function size(v: Value): number | undefined {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.B !== undefined) return v.B.length;
  const coll = v.SS ?? v.NS ?? v.BS ?? v.L;
  if (coll) return coll.length;
  if (v.M) return Object.keys(v.M).length;
  return undefined;
}

export function evaluate(item: Item | undefined, c: Condition): boolean {
  switch (c.kind) {
    case 'and': return evaluate(item, c.args[0]) && evaluate(item, c.args[1]);
    case 'or': return evaluate(item, c.args[0]) || evaluate(item, c.args[1]);
    case 'not': return !evaluate(item, c.args[0]);
    case 'compare': {
      const a = operandValue(item, c.args[0]);
      const b = operandValue(item, c.args[1]);
      if (c.op === '<>') return !a || !b || !valuesEqual(a, b);
      if (!a || !b) return false;
      if (c.op === '=') return valuesEqual(a, b);
      const cmp = compareValues(a, b);
      if (cmp === undefined) return false;
      return c.op === '<' ? cmp < 0 : c.op === '<=' ? cmp <= 0 : c.op === '>' ? cmp > 0 : cmp >= 0;
    }
    case 'between': {
      const [a, lo, hi] = c.args.map((o) => operandValue(item, o));
      if (!a || !lo || !hi) return false;
      const l = compareValues(a, lo);
      const h = compareValues(a, hi);
      return l !== undefined && h !== undefined && l >= 0 && h <= 0;
    }
    case 'in': {
      const a = operandValue(item, c.args[0]!);
      return !!a && c.args.slice(1).some((o) => {
        const v = operandValue(item, o);
        return !!v && valuesEqual(a, v);
      });
    }
    case 'call': return callFunction(item, c.name, c.args);
  }
}

function callFunction(item: Item | undefined, name: string, args: Operand[]): boolean {
  const a = operandValue(item, args[0]!);
  const b = args[1] ? operandValue(item, args[1]) : undefined;
  switch (name) {
    case 'attribute_exists': return a !== undefined;
    case 'attribute_not_exists': return a === undefined;
    case 'attribute_type': return !!a && !!b && typeOf(a) === b.S;
    case 'begins_with':
      if (a?.S !== undefined && b?.S !== undefined) return a.S.startsWith(b.S);
      if (a?.B !== undefined && b?.B !== undefined) return a.B.subarray(0, b.B.length).equals(b.B);
      return false;
    case 'contains':
      if (!a || !b) return false;
      if (a.S !== undefined && b.S !== undefined) return a.S.includes(b.S);
      if (a.B !== undefined && b.B !== undefined) return a.B.includes(b.B);
      if (a.SS && b.S !== undefined) return a.SS.includes(b.S);
      if (a.NS && b.N !== undefined) return a.NS.some((n) => valuesEqual({ N: n }, b));
      if (a.BS && b.B !== undefined) return a.BS.some((x) => x.equals(b.B!));
      if (a.L) return a.L.some((e) => valuesEqual(e, b));
      return false;
    default: return false;
  }
}

function updateError(message: string): AwsError {
  return new AwsError('ValidationException', message);
}

/** The value of a SET right-hand side, read from the item before any action of the update applies. */
function setValue(item: Item, o: Operand): Value {
  switch (o.kind) {
    case 'path': {
      const v = resolve(item, o.path);
      if (!v) throw updateError('The provided expression refers to an attribute that does not exist in the item');
      return v;
    }
    case 'value': return o.value;
    case 'arith': {
      const [a, b] = o.args.map((x) => setValue(item, x)) as [Value, Value];
      for (const v of [a, b]) {
        if (v.N === undefined) throw updateError(`An operand in the update expression has an incorrect data type`);
      }
      return { N: o.op === '+' ? addNumbers(a.N!, b.N!) : subtractNumbers(a.N!, b.N!) };
    }
    case 'call': {
      if (o.name === 'if_not_exists') {
        const existing = resolve(item, (o.args[0] as { path: Path }).path);
        return existing ?? setValue(item, o.args[1]!);
      }
      const [a, b] = o.args.map((x) => setValue(item, x)) as [Value, Value];
      if (!a.L || !b.L) throw updateError(`An operand in the update expression has an incorrect data type`);
      return { L: [...a.L, ...b.L] };
    }
  }
}

/**
 * What an UpdateExpression costs against the 400 KB item size limit, besides the item it leaves:
 * DynamoDB sizes the statement, not the item, so the key and every attribute the update leaves
 * alone are out of the figure, and each clause adds a fixed cost. 3 for the update; a SET or ADD 19
 * plus its target plus what it writes (an ADD to a set only the members it adds); a REMOVE or
 * DELETE 1 plus its target. A target is its first name plus, for each further element, 4 and the
 * element (a name's bytes, an index's digits). Operands: a value its size at every use, a path 1
 * plus 14 and the element for each element (what it reads is free), `+` 34 and `-` 37 plus both
 * operands, if_not_exists 39 and list_append 37 plus both. The Parity Suite's byte-exact recordings
 * (itemSizeBySurface, eu-west-2, which 22 of 33 regions share, us-east-1 among them; the others size
 * only the finished item). Neither AttributeUpdates, a transaction nor PartiQL is sized this way.
 */
export function updateCharge(before: Item | undefined, actions: UpdateAction[]): number {
  let bytes = 3;
  for (const a of actions) {
    if (a.kind === 'SET') bytes += 19 + targetCost(a.path) + operandCost(a.value);
    else if (a.kind === 'ADD') bytes += 19 + targetCost(a.path) + valueSize(added(resolve(before, a.path), a.value));
    else bytes += 1 + targetCost(a.path);
  }
  return bytes;
}

const elementCost = (e: string | number) => (typeof e === 'number' ? String(e).length : Buffer.byteLength(e));

function targetCost(path: Path): number {
  let bytes = elementCost(path[0]!);
  for (let i = 1; i < path.length; i++) bytes += 4 + elementCost(path[i]!);
  return bytes;
}

function operandCost(o: Operand): number {
  switch (o.kind) {
    case 'value': return valueSize(o.value);
    case 'path': return o.path.reduce<number>((n, e) => n + 14 + elementCost(e), 1);
    case 'arith': return (o.op === '+' ? 34 : 37) + operandCost(o.args[0]) + operandCost(o.args[1]);
    case 'call': return (o.name === 'if_not_exists' ? 39 : 37) + o.args.reduce((n, x) => n + operandCost(x), 0);
  }
}

/** The part of an ADD's value that is new: a set's members not already in the stored set. */
function added(existing: Value | undefined, v: Value): Value {
  if (existing?.SS && v.SS) return { SS: v.SS.filter((s) => !existing.SS!.includes(s)) };
  if (existing?.NS && v.NS) return { NS: v.NS.filter((n) => !existing.NS!.some((e) => valuesEqual({ N: e }, { N: n }))) };
  if (existing?.BS && v.BS) return { BS: v.BS.filter((b) => !existing.BS!.some((e) => e.equals(b))) };
  return v;
}

/** Applies an update expression to a copy of the item (actions read the item as it was before the update). */
export function applyUpdate(before: Item, actions: UpdateAction[], result: Item): void {
  const computed = actions.map((a) => (a.kind === 'SET' ? setValue(before, a.value) : undefined));
  // Several SETs past a list's end append in the order of their indexes, whatever their order in
  // the expression (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html).
  const listIndex = (path: Path) => { const last = path[path.length - 1]; return typeof last === 'number' ? last : -1; };
  const writes = actions.map((a, i) => i).filter((i) => actions[i]!.kind !== 'REMOVE')
    .sort((x, y) => listIndex(actions[x]!.path) - listIndex(actions[y]!.path));
  for (const i of writes) {
    const a = actions[i]!;
    if (a.kind === 'SET') assign(result, a.path, computed[i]!);
    else if (a.kind === 'ADD') add(result, a);
    else if (a.kind === 'DELETE') del(result, a);
  }
  // Every index names an element of the list as it was: the targets are found before any is taken
  // out, and the highest index goes first so the lower ones stay in place.
  const removals = actions.filter((a) => a.kind === 'REMOVE').map((a) => parentOf(result, a.path))
    .sort((x, y) => (typeof y.last === 'number' ? y.last : -1) - (typeof x.last === 'number' ? x.last : -1));
  for (const { container, last } of removals) removeFrom(container, last);
}

function parentOf(item: Item, path: Path): { container: Value; last: string | number } {
  const container = path.length === 1 ? { M: item } : resolve(item, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (!container || (typeof last === 'number' ? !container.L : !container.M)) {
    throw new AwsError('ValidationException', 'The document path provided in the update expression is invalid for update');
  }
  return { container, last };
}

/** Sets the value at a path, appending when the index is past the list's end. */
function assign(item: Item, path: Path, v: Value): void {
  const { container, last } = parentOf(item, path);
  if (typeof last !== 'number') container.M![last] = v;
  else if (last < container.L!.length) container.L![last] = v;
  else container.L!.push(v);
}

/** Removing a missing map member or an index past the list's end changes nothing. */
function removeFrom(container: Value, last: string | number): void {
  if (typeof last === 'number') {
    if (last < container.L!.length) container.L!.splice(last, 1);
  } else delete container.M![last];
}

type SetAction = UpdateAction & { kind: 'ADD' | 'DELETE' };

function typeMismatch(a: SetAction): AwsError {
  return new AwsError('ValidationException', a.legacy ? 'Type mismatch for attribute to update' : 'An operand in the update expression has an incorrect data type');
}

function add(item: Item, a: SetAction): void {
  const { path, value: v } = a;
  const existing = resolve(item, path);
  if (!existing) return void assign(item, path, v);
  const t = typeOf(existing);
  if (t === 'N' && v.N !== undefined) return void assign(item, path, { N: addNumbers(existing.N!, v.N) });
  if (t === 'SS' && v.SS) return void assign(item, path, setInOrder({ SS: [...new Set([...existing.SS!, ...v.SS])] }));
  if (t === 'NS' && v.NS) return void assign(item, path, setInOrder({ NS: [...existing.NS!, ...v.NS.filter((n) => !existing.NS!.some((e) => valuesEqual({ N: e }, { N: n })))] }));
  if (t === 'BS' && v.BS) return void assign(item, path, setInOrder({ BS: [...existing.BS!, ...v.BS.filter((b) => !existing.BS!.some((e) => e.equals(b)))] }));
  // Only AttributeUpdates may ADD a list (the expression parser refuses one): it appends.
  if (t === 'L' && v.L) return void assign(item, path, { L: [...existing.L!, ...v.L] });
  throw typeMismatch(a);
}

function del(item: Item, a: SetAction): void {
  const { path, value: v } = a;
  const existing = resolve(item, path);
  if (!existing) return;
  const t = typeOf(existing);
  let rest: Value;
  if (t === 'SS' && v.SS) rest = { SS: existing.SS!.filter((s) => !v.SS!.includes(s)) };
  else if (t === 'NS' && v.NS) rest = { NS: existing.NS!.filter((n) => !v.NS!.some((d) => valuesEqual({ N: n }, { N: d }))) };
  else if (t === 'BS' && v.BS) rest = { BS: existing.BS!.filter((b) => !v.BS!.some((d) => d.equals(b))) };
  else throw typeMismatch(a);
  // An emptied set is no value at all: DynamoDB removes the attribute.
  if ((rest.SS ?? rest.NS ?? rest.BS)!.length === 0) {
    const { container, last } = parentOf(item, path);
    removeFrom(container, last);
  } else assign(item, path, rest);
}

/** The attributes a projection names, nested paths kept in their place, list elements compacted in order. */
export function project(item: Item, paths: Path[]): Item {
  const out: Item = {};
  // Projected list elements are appended in the order met; this remembers which source element each copy is.
  const copies = new WeakMap<Value, Map<number, Value>>();
  for (const path of paths) {
    const v = resolve(item, path);
    if (!v) continue;
    let target: Value = { M: out };
    let src: Value = { M: item };
    for (let i = 0; i < path.length - 1; i++) {
      const p = path[i]!;
      const nextSrc: Value = typeof p === 'number' ? src.L![p]! : src.M![p]!;
      let child: Value | undefined = typeof p === 'number' ? copies.get(target)?.get(p) : target.M![p];
      if (!child) {
        child = nextSrc.L ? { L: [] } : { M: {} };
        if (typeof p === 'number') {
          target.L!.push(child);
          if (!copies.has(target)) copies.set(target, new Map());
          copies.get(target)!.set(p, child);
        } else target.M![p] = child;
      }
      target = child;
      src = nextSrc;
    }
    const last = path[path.length - 1]!;
    if (typeof last === 'number') target.L!.push(v);
    else target.M![last] = v;
  }
  return out;
}
