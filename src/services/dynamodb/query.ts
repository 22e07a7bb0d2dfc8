import type { Operations } from '../../generated/types/dynamodb.js';
import { AwsError } from '../../protocols/errors.js';
import { JsonText } from '../../protocols/json.js';
import type { Handlers, RequestContext } from '../service.js';
import { consumed, readUnits } from './capacity.js';
import { evaluate, project } from './expressions/evaluate.js';
import { conditionPaths, type Condition, type Operand, type Path } from './expressions/parser.js';
import { PARAMS, parseExpressions } from './request.js';
import {
  attributeType, checkKeyPaths, getTable, indexEntry, keyAttributes, keyParts, keyValueProblem, indexes, keyOf, partBytes, scanOrder, storageKey, tableKey, tupleElement, tupleEscape,
  type IndexDef, type KeyDef, type Table,
} from './table.js';
import { checkItem, decodeItem, itemSize, keyBytes, typeOf, type Item, type Value } from './values.js';

/**
 * Query and Scan. Items come out of SQLite in key order (a Query is a range read on the primary
 * key or an index's rows); Limit counts items read, pages stop at 1 MB read, and filters apply
 * after the read, as in DynamoDB.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.html
 */
const MAX_PAGE_BYTES = 1024 * 1024;
const invalid = (m: string) => new AwsError('ValidationException', m);

interface Source {
  table: Table;
  index: IndexDef | undefined;
  key: KeyDef;
}

function source(t: Table, indexName: string | undefined): Source {
  if (indexName === undefined) return { table: t, index: undefined, key: tableKey(t) };
  const index = indexes(t).find((i) => i.name === indexName);
  if (!index) throw invalid(`The table does not have the specified index: ${indexName}`);
  return { table: t, index, key: index };
}

/**
 * The attributes a read of an index sees: both keys plus what the index projects. A local index
 * fetches the rest from the table when the request asks for it (Select ALL_ATTRIBUTES or a
 * ProjectionExpression); a global index cannot.
 */
function projectIndex(s: Source, item: Item, fetchFromTable: boolean): Item {
  const index = s.index;
  if (!index || seesWholeItems(s, fetchFromTable)) return item;
  return indexEntry(s.table, index, item);
}

/** Whether a read sees items whole: of the table, or of an index that projects or fetches every attribute. */
function seesWholeItems(s: Source, fetchFromTable: boolean): boolean {
  return !s.index || s.index.projection.ProjectionType === 'ALL' || (fetchFromTable && !s.index.global);
}

type KeyOp = '=' | '<' | '<=' | '>' | '>=' | 'between' | 'begins_with';

const FLIPPED = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const;

/** One key attribute's condition, normalised so the attribute is the first operand. */
interface KeyLeaf {
  attr: string;
  op: KeyOp;
  values: Operand[];
}

/** Checks one leaf of a key condition the way DynamoDB does, before looking at the key schema. */
function keyLeaf(leaf: Condition): KeyLeaf {
  const bad = (m: string) => invalid(m);
  if (leaf.kind === 'or' || leaf.kind === 'not' || leaf.kind === 'in') throw bad(`Invalid operator used in KeyConditionExpression: ${leaf.kind.toUpperCase()}`);
  if (leaf.kind === 'compare' && leaf.op === '<>') throw bad('Invalid operator used in KeyConditionExpression: <>');
  if (leaf.kind === 'call' && leaf.name !== 'begins_with') throw bad(`Invalid operator used in KeyConditionExpression: ${leaf.name}`);
  const args = leaf.args as Operand[];
  if (args.some((a) => a.kind === 'call' || a.kind === 'arith')) throw bad('KeyConditionExpressions cannot contain nested operations');
  if ((leaf.kind === 'between' || leaf.kind === 'call') && args[0]!.kind !== 'path') {
    throw bad(`Invalid condition in KeyConditionExpression: ${leaf.kind === 'between' ? 'BETWEEN' : 'begins_with'} operator must have the key attribute as its first operand`);
  }
  const paths = args.filter((a): a is Operand & { kind: 'path' } => a.kind === 'path');
  if (paths.length > 1) throw bad('Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition');
  if (paths.length === 0) throw bad('Invalid condition in KeyConditionExpression: No key attribute specified');
  if (paths[0]!.path.length > 1) throw bad('KeyConditionExpressions cannot have conditions on nested attributes');
  const attr = paths[0]!.path[0] as string;
  if (leaf.kind === 'compare') {
    const flipped = args[0]!.kind !== 'path';
    return { attr, op: flipped ? FLIPPED[leaf.op as keyof typeof FLIPPED] : leaf.op as KeyOp, values: [flipped ? args[0]! : args[1]!] };
  }
  return { attr, op: leaf.kind === 'between' ? 'between' : 'begins_with', values: args.slice(1) };
}

/**
 * The sort-key bytes a key condition lets through: from `lo` up to `hi`, each bound included
 * unless marked open; a missing bound does not limit.
 */
interface Bounds {
  lo?: Buffer;
  loOpen?: boolean;
  hi?: Buffer;
  hiOpen?: boolean;
}

/**
 * Reads a key condition: equalities on the HASH attributes, and on the RANGE attributes a prefix
 * of equalities whose last member may instead be a range condition (on a multi-attribute GSI key,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.DesignPattern.MultiAttributeKeys.html).
 */
function keyCondition(s: Source, c: Condition | undefined): { hash: Buffer; range: Bounds | undefined } {
  if (!c) throw invalid('Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.');
  const leaves = new Map<string, KeyLeaf>();
  const flatten = (x: Condition) => {
    if (x.kind === 'and') x.args.forEach(flatten);
    else {
      const leaf = keyLeaf(x);
      if (leaves.has(leaf.attr)) throw invalid('Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key');
      leaves.set(leaf.attr, leaf);
    }
  };
  flatten(c);
  const parts = keyParts(s.key);
  const most = s.key.composite ? parts.hash.length + parts.range.length : 2;
  if (leaves.size > most) throw invalid(`The number of query conditions (${leaves.size}) exceeds the number of key attributes defined in the schema (${s.key.composite ? most : s.key.range ? 2 : 1})`);
  for (const attr of parts.hash) if (!leaves.has(attr)) throw invalid(`Query condition missed key schema element: ${attr}`);
  for (const attr of leaves.keys()) {
    if (!parts.hash.includes(attr) && !parts.range.includes(attr)) throw invalid(`Query condition missed key schema element: ${s.key.range ?? s.key.hash}`);
  }
  if (parts.hash.some((attr) => leaves.get(attr)!.op !== '=')) throw invalid('Query key condition not supported');
  // The RANGE attributes named: every one before the last must be an equality, with no gap.
  const last = parts.range.map((attr) => leaves.has(attr)).lastIndexOf(true);
  const unequal = parts.range.slice(0, Math.max(last, 0)).filter((attr) => leaves.get(attr)?.op !== '=');
  if (unequal.length) {
    throw invalid(`RANGE key attributes ${unequal.join(', ')} must have equality conditions specified in the query because a condition is present on key attribute ${parts.range[last]}`);
  }
  const bytes = (attr: string, o: Operand): Buffer => {
    const v = (o as { value: Value }).value;
    if (typeOf(v) !== attributeType(s.table, attr)) throw invalid('One or more parameter values were invalid: Condition parameter type does not match schema type');
    return keyBytes(v);
  };
  const hash = partBytes(parts.hash.map((attr) => bytes(attr, leaves.get(attr)!.values[0]!)));
  if (last < 0) return { hash, range: undefined };
  const leaf = leaves.get(parts.range[last]!)!;
  const equal = parts.range.slice(0, last).map((attr) => bytes(attr, leaves.get(attr)!.values[0]!));
  const values = leaf.values.map((v) => bytes(leaf.attr, v));
  if (leaf.op === 'begins_with' && attributeType(s.table, leaf.attr) === 'N') {
    throw invalid('Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N');
  }
  return { hash, range: parts.range.length > 1 ? tupleBounds(equal, leaf.op, values) : valueBounds(leaf.op, values) };
}

/** A sort key of one attribute: the condition's bounds on its bytes. */
function valueBounds(op: KeyOp, [a, b]: Buffer[]): Bounds {
  switch (op) {
    case '=': return { lo: a, hi: a };
    case '<': return { hi: a, hiOpen: true };
    case '<=': return { hi: a };
    case '>': return { lo: a, loOpen: true };
    case '>=': return { lo: a };
    case 'between': return { lo: a, hi: b };
    case 'begins_with': return { lo: a, hi: prefixEnd(a!), hiOpen: true };
  }
}

/**
 * A multi-attribute sort key: equalities on its first attributes fix a prefix of the stored
 * bytes (tupleElement of each), and the condition on the next one bounds what follows.
 */
function tupleBounds(equal: Buffer[], op: KeyOp, [a, b]: Buffer[]): Bounds {
  const prefix = Buffer.concat(equal.map(tupleElement));
  const at = (v: Buffer) => Buffer.concat([prefix, tupleElement(v)]);
  // Every key under the prefix is at least the prefix, and below its prefixEnd.
  const floor = { lo: prefix };
  const ceiling = { hi: prefix.length ? prefixEnd(prefix) : undefined, hiOpen: true };
  switch (op) {
    case '=': return { lo: at(a!), hi: prefixEnd(at(a!)), hiOpen: true };
    case '<': return { ...floor, hi: at(a!), hiOpen: true };
    case '<=': return { ...floor, hi: prefixEnd(at(a!)), hiOpen: true };
    case '>': return { lo: prefixEnd(at(a!)), ...ceiling };
    case '>=': return { lo: at(a!), ...ceiling };
    case 'between': return { lo: at(a!), hi: prefixEnd(at(b!)), hiOpen: true };
    case 'begins_with': {
      const start = Buffer.concat([prefix, tupleEscape(a!)]);
      return { lo: start, hi: prefixEnd(start), hiOpen: true };
    }
  }
}

/** A Query's filter may not name the keys it queries by. */
function checkFilterKeys(s: Source, filter: Condition | undefined, legacy: boolean): void {
  if (!filter) return;
  const names = new Set(conditionPaths(filter).map((p) => p[0] as string));
  for (const key of keyAttributes(s.key)) {
    if (names.has(key)) throw invalid(`${legacy ? 'QueryFilter' : 'Filter Expression'} can only contain non-primary key attributes: Primary key attribute: ${key}`);
  }
}

/** The smallest byte string greater than every string starting with `prefix` (none if it is all 0xFF). */
function prefixEnd(prefix: Buffer): Buffer | undefined {
  const out = Buffer.from(prefix);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i]!++;
      return out.subarray(0, i + 1);
    }
  }
  return undefined;
}

interface Row {
  item: string;
  size: number;
}

function statement(ctx: RequestContext, sql: string) {
  const cache = ctx.memory('dynamodb.queries', () => new Map<string, ReturnType<RequestContext['db']['prepare']>>());
  let st = cache.get(sql);
  if (!st) {
    st = ctx.db.prepare(sql);
    cache.set(sql, st);
  }
  return st;
}

/**
 * ExclusiveStartKey's values, checked with the rest of the request before the table is looked up.
 * DynamoDB names the starting key in most of these messages, not in those about numbers and sets.
 */
function checkStartValues(start: Item | undefined): Item | undefined {
  if (!start) return undefined;
  try {
    return checkItem(start, 'current');
  } catch (e) {
    const m = (e as Error).message;
    if (/contains duplicates|number set|numeric value|significant digits|number with magnitude/.test(m)) throw e;
    throw invalid(`The provided starting key is invalid: ${m}`);
  }
}

/**
 * ExclusiveStartKey as storage positions: the table key, plus the index key when reading an index.
 * A Query's (or an index Scan's) own key is checked first, then the table's key in it.
 */
function startPosition(s: Source, k: Item | undefined, query: boolean): Buffer[] | undefined {
  if (!k) return undefined;
  const t = tableKey(s.table);
  const need = new Set([...keyAttributes(t), ...(s.index ? keyAttributes(s.index) : [])]);
  const bySource = query || s.index !== undefined;
  if (Object.keys(k).length !== need.size) throw invalid(bySource ? 'The provided starting key is invalid' : 'The provided starting key is invalid: The provided key element does not match the schema');
  if (bySource) {
    for (const attr of keyAttributes(s.key)) {
      if (!k[attr]) throw invalid('The provided starting key is invalid');
      const problem = keyValueProblem(s.table, attr, k[attr], false);
      if (problem) throw invalid(problem);
    }
  }
  for (const attr of [t.hash, t.range]) {
    const problem = attr ? keyValueProblem(s.table, attr, k[attr], false) : undefined;
    if (problem) throw invalid(`The provided starting key is invalid: ${problem}`);
  }
  const [th, tr] = storageKey(t, k);
  if (!s.index) return [th, tr];
  const [ih, ir] = storageKey(s.index, k);
  return [ih, ir, th, tr];
}

/** Whether a sort key's bytes are within a key condition's bounds. */
function within(range: Bounds, key: Buffer): boolean {
  if (range.lo) {
    const c = Buffer.compare(key, range.lo);
    if (c < 0 || (c === 0 && range.loOpen)) return false;
  }
  if (range.hi) {
    const c = Buffer.compare(key, range.hi);
    if (c > 0 || (c === 0 && range.hiOpen)) return false;
  }
  return true;
}

interface Page {
  items: Item[];
  /** Instead of `items`, when they go back whole: the items as stored, already the JSON the response carries. */
  stored: string[] | undefined;
  scanned: number;
  bytes: number;
  last: Item | undefined;
}

/**
 * Reads rows in order until Limit items or 1 MB, applying the filter after the read. Items that
 * go back whole and unfiltered are kept as stored; only the last one is decoded, for its key.
 */
function readPage(s: Source, rows: Iterable<Row>, limit: number | undefined, filter: Condition | undefined, fetchFromTable: boolean, whole: boolean): Page {
  const page: Page = { items: [], stored: whole && !filter ? [] : undefined, scanned: 0, bytes: 0, last: undefined };
  const decode = (row: Row) => projectIndex(s, decodeItem(row.item), fetchFromTable);
  // A read of an index that holds less than the whole item is sized, for the 1 MB page and the
  // capacity it consumes, by what the index holds of each item, not by the item.
  const byEntry = !seesWholeItems(s, fetchFromTable);
  let previous: Row | undefined;
  for (const row of rows) {
    const entry = byEntry ? decode(row) : undefined;
    const size = entry ? itemSize(entry) : row.size;
    if (page.scanned > 0 && page.bytes + size > MAX_PAGE_BYTES) {
      page.last = decode(previous!);
      break;
    }
    page.scanned++;
    page.bytes += size;
    previous = row;
    if (page.stored) page.stored.push(row.item);
    else {
      const item = entry ?? decode(row);
      if (!filter || evaluate(item, filter)) page.items.push(item);
    }
    if (limit !== undefined && page.scanned >= limit) {
      page.last = decode(row);
      break;
    }
  }
  if (page.last) {
    const keys = { ...keyOf(tableKey(s.table), page.last), ...(s.index ? keyOf(s.index, page.last) : {}) };
    page.last = keys;
  }
  return page;
}

/** Rows of the table, or of an index joined to the items they point at; `x` names the ordered rows either way. */
function select(s: Source): string {
  return s.index
    ? `SELECT i.item, i.size FROM dynamodb_index_items x JOIN dynamodb_items i ON i.table_id = x.table_id AND i.hash_key = x.item_hash AND i.range_key = x.item_range WHERE x.table_id = ? AND x.index_name = ?`
    : 'SELECT x.item, x.size FROM dynamodb_items x WHERE x.table_id = ?';
}

function fromParams(s: Source): unknown[] {
  return s.index ? [s.table.id, s.index.name] : [s.table.id];
}

/** Select and projection together decide what each returned item holds. */
function shape(s: Source, select: string | undefined, projection: Path[] | undefined, projectionParam: string | undefined): (item: Item) => Item {
  if (select === 'SPECIFIC_ATTRIBUTES' && !projection) throw invalid('Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES');
  if (select && select !== 'SPECIFIC_ATTRIBUTES' && projectionParam) {
    throw invalid(`Cannot specify the ${projectionParam} when choosing to get ${select === 'COUNT' ? 'only the Count' : select}`);
  }
  if (select === 'ALL_PROJECTED_ATTRIBUTES' && !s.index) throw invalid('ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName');
  if (select === 'ALL_ATTRIBUTES' && s.index?.global && s.index.projection.ProjectionType !== 'ALL') {
    throw invalid(`One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index ${s.index.name} because its projection type is not ALL`);
  }
  return projection ? (item) => project(item, projection) : (item) => item;
}

function output(s: Source, page: Page, select: string | undefined, reshape: (i: Item) => Item, capacityMode: string | undefined, consistent: boolean | undefined) {
  return {
    ...(select === 'COUNT' ? {} : { Items: page.stored ? new JsonText(`[${page.stored.join(',')}]`) as unknown as Item[] : page.items.map(reshape) }),
    Count: page.stored?.length ?? page.items.length,
    ScannedCount: page.scanned,
    ...(page.last ? { LastEvaluatedKey: page.last } : {}),
    // A read of an index charges the index, not the table (with INDEXES, Table shows 0).
    ConsumedCapacity: consumed(capacityMode, s.table, s.index
      ? { table: 0, indexes: new Map([[s.index, readUnits(page.bytes, consistent)]]) }
      : readUnits(page.bytes, consistent)),
  };
}

/** A read's projection and filter may not reach into key attributes, the projection judged first. */
function checkReadPaths(t: Table, ex: { projection?: Path[]; filter?: Condition }): void {
  if (ex.projection) checkKeyPaths(t, ex.projection);
  if (ex.filter) checkKeyPaths(t, conditionPaths(ex.filter));
}

function checkConsistency(s: Source, consistent: boolean | undefined): void {
  if (consistent && s.index?.global) throw invalid('Consistent reads are not supported on global secondary indexes');
}

export const queryHandlers: Handlers<Operations> = {
  Query(input, ctx) {
    const startKey = checkStartValues(input.ExclusiveStartKey);
    const ex = parseExpressions(input, PARAMS.query);
    const t = getTable(ctx, input.TableName);
    const s = source(t, input.IndexName);
    if (input.KeyConditions && !s.key.composite && Object.keys(input.KeyConditions).length > 2) throw invalid('Conditions can be of length 1 or 2 only');
    checkConsistency(s, input.ConsistentRead);
    const reshape = shape(s, input.Select, ex.projection, input.ProjectionExpression !== undefined ? 'ProjectionExpression' : input.AttributesToGet !== undefined ? 'AttributesToGet' : undefined);
    const { hash, range } = keyCondition(s, ex.keyCondition);
    checkFilterKeys(s, ex.filter, input.QueryFilter !== undefined);
    checkReadPaths(t, ex);
    const forward = input.ScanIndexForward !== false;
    const dir = forward ? 'ASC' : 'DESC';
    let sql = `${select(s)} AND x.hash_key = ?`;
    const params: unknown[] = [...fromParams(s), hash];
    if (range?.lo) { sql += ` AND x.range_key ${range.loOpen ? '>' : '>='} ?`; params.push(range.lo); }
    if (range?.hi) { sql += ` AND x.range_key ${range.hiOpen ? '<' : '<='} ?`; params.push(range.hi); }
    const start = startPosition(s, startKey, true);
    if (start && !range && !start[0]!.equals(hash)) throw invalid('The provided starting key is outside query boundaries based on provided conditions');
    if (start && range && !within(range, start[1]!)) throw invalid('The provided starting key does not match the range key predicate');
    if (start && !start[0]!.equals(hash)) throw invalid('The query can return at most one row and cannot be restarted');
    if (start) {
      const cmp = forward ? '>' : '<';
      if (s.index) { sql += ` AND (x.range_key, x.item_hash, x.item_range) ${cmp} (?, ?, ?)`; params.push(start[1], start[2], start[3]); }
      else { sql += ` AND x.range_key ${cmp} ?`; params.push(start[1]); }
    }
    sql += s.index ? ` ORDER BY x.range_key ${dir}, x.item_hash ${dir}, x.item_range ${dir}` : ` ORDER BY x.range_key ${dir}`;
    const fetchFromTable = input.Select === 'ALL_ATTRIBUTES' || ex.projection !== undefined;
    const whole = input.Select !== 'COUNT' && !ex.projection && seesWholeItems(s, fetchFromTable);
    const page = readPage(s, statement(ctx, sql).iterate(...(params as [{}])) as Iterable<Row>, input.Limit, ex.filter, fetchFromTable, whole);
    return output(s, page, input.Select, reshape, input.ReturnConsumedCapacity, input.ConsistentRead);
  },

  Scan(input, ctx) {
    const startKey = checkStartValues(input.ExclusiveStartKey);
    if (input.Segment !== undefined && input.TotalSegments === undefined) throw invalid('The TotalSegments parameter is required but was not present in the request when Segment parameter is present');
    if (input.TotalSegments !== undefined && input.Segment === undefined) throw invalid('The Segment parameter is required but was not present in the request when parameter TotalSegments is present');
    if (input.Segment !== undefined && input.Segment >= input.TotalSegments!) {
      throw invalid(`The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: ${input.Segment} is not less than TotalSegments: ${input.TotalSegments}`);
    }
    const ex = parseExpressions(input, PARAMS.scan);
    const t = getTable(ctx, input.TableName);
    const s = source(t, input.IndexName);
    checkConsistency(s, input.ConsistentRead);
    const reshape = shape(s, input.Select, ex.projection, input.ProjectionExpression !== undefined ? 'ProjectionExpression' : input.AttributesToGet !== undefined ? 'AttributesToGet' : undefined);
    checkReadPaths(t, ex);
    let sql = select(s);
    const params = fromParams(s);
    const start = startPosition(s, startKey, false);
    if (input.Segment !== undefined) {
      // Segments split the partition-key hash space evenly, as DynamoDB splits its partitions.
      const lo = Math.floor((input.Segment * 2 ** 32) / input.TotalSegments!);
      const hi = Math.floor(((input.Segment + 1) * 2 ** 32) / input.TotalSegments!);
      if (start && (scanOrder(start[0]!) < lo || scanOrder(start[0]!) >= hi)) {
        throw invalid('The provided Exclusive start key does not map to the provided Segment and TotalSegments values.');
      }
      sql += ' AND x.scan_order >= ? AND x.scan_order < ?';
      params.push(lo, hi);
    }
    if (start) {
      const cols = s.index ? '(x.scan_order, x.hash_key, x.range_key, x.item_hash, x.item_range)' : '(x.scan_order, x.hash_key, x.range_key)';
      sql += ` AND ${cols} > (${s.index ? '?, ?, ?, ?, ?' : '?, ?, ?'})`;
      params.push(scanOrder(start[0]!), ...start);
    }
    sql += s.index ? ' ORDER BY x.scan_order, x.hash_key, x.range_key, x.item_hash, x.item_range' : ' ORDER BY x.scan_order, x.hash_key, x.range_key';
    const fetchFromTable = input.Select === 'ALL_ATTRIBUTES' || ex.projection !== undefined;
    const whole = input.Select !== 'COUNT' && !ex.projection && seesWholeItems(s, fetchFromTable);
    const page = readPage(s, statement(ctx, sql).iterate(...(params as [{}])) as Iterable<Row>, input.Limit, ex.filter, fetchFromTable, whole);
    return output(s, page, input.Select, reshape, input.ReturnConsumedCapacity, input.ConsistentRead);
  },
};

