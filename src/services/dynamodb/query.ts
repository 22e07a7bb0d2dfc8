import type { Operations } from '../../generated/types/dynamodb.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext } from '../service.js';
import { consumed, readUnits } from './capacity.js';
import { evaluate, project } from './expressions/evaluate.js';
import type { Condition, Operand, Path } from './expressions/parser.js';
import { parseExpressions } from './request.js';
import { attributeType, getTable, indexes, keyOf, scanOrder, storageKey, tableKey, type IndexDef, type KeyDef, type Table } from './table.js';
import { checkItem, decodeItem, keyBytes, typeOf, type Item } from './values.js';

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

/** The attributes an index row holds: both keys, plus what its projection includes. */
function projectIndex(s: Source, item: Item): Item {
  if (!s.index || s.index.projection.ProjectionType === 'ALL') return item;
  const keep = new Set([...Object.keys(keyOf(tableKey(s.table), item)), s.index.hash, ...(s.index.range ? [s.index.range] : []), ...(s.index.projection.NonKeyAttributes ?? [])]);
  return Object.fromEntries(Object.entries(item).filter(([k]) => keep.has(k)));
}

interface Range {
  op: '=' | '<' | '<=' | '>' | '>=' | 'between' | 'begins_with';
  values: Buffer[];
}

/** Reads `hash = :v [AND range-condition]` out of a key condition. */
function keyCondition(s: Source, c: Condition | undefined): { hash: Buffer; range: Range | undefined } {
  if (!c) throw invalid('Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.');
  const leaves: Condition[] = [];
  const flatten = (x: Condition) => {
    if (x.kind === 'and') x.args.forEach(flatten);
    else if (x.kind === 'or' || x.kind === 'not') throw invalid(`Invalid operator used in KeyConditionExpression: ${x.kind.toUpperCase()}`);
    else leaves.push(x);
  };
  flatten(c);
  let hash: Buffer | undefined;
  let range: Range | undefined;
  const value = (attr: string, o: Operand): Buffer => {
    if (o.kind !== 'value') throw invalid('Query key condition not supported');
    if (typeOf(o.value) !== attributeType(s.table, attr)) throw invalid('One or more parameter values were invalid: Condition parameter type does not match schema type');
    return keyBytes(o.value);
  };
  for (const leaf of leaves) {
    const first = leaf.args[0] as Operand;
    if (first.kind !== 'path' || first.path.length !== 1) throw invalid('Query key condition not supported');
    const attr = first.path[0] as string;
    if (attr !== s.key.hash && attr !== s.key.range) throw invalid(`Query condition missed key schema element: ${s.key.hash}`);
    if (attr === s.key.hash) {
      if (leaf.kind !== 'compare' || leaf.op !== '=' || hash) throw invalid('Query key condition not supported');
      hash = value(attr, leaf.args[1]);
      continue;
    }
    if (range) throw invalid('Query key condition not supported');
    if (leaf.kind === 'compare' && leaf.op !== '<>') range = { op: leaf.op, values: [value(attr, leaf.args[1])] };
    else if (leaf.kind === 'between') range = { op: 'between', values: [value(attr, leaf.args[1]), value(attr, leaf.args[2])] };
    else if (leaf.kind === 'call' && leaf.name === 'begins_with') {
      if (attributeType(s.table, attr) === 'N') throw invalid('Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N');
      range = { op: 'begins_with', values: [value(attr, leaf.args[1]!)] };
    } else throw invalid('Query key condition not supported');
  }
  if (!hash) throw invalid(`Query condition missed key schema element: ${s.key.hash}`);
  return { hash, range };
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

/** ExclusiveStartKey as storage positions: the table key, plus the index key when reading an index. */
function startPosition(s: Source, start: Item | undefined): Buffer[] | undefined {
  if (!start) return undefined;
  const k = checkItem(start);
  const t = tableKey(s.table);
  const need = new Set([t.hash, t.range, s.index?.hash, s.index?.range].filter((x): x is string => !!x));
  const bad = () => invalid('The provided starting key is invalid: The provided key element does not match the schema');
  if (Object.keys(k).length !== need.size || [...need].some((n) => !k[n] || typeOf(k[n]) !== attributeType(s.table, n))) throw bad();
  const [th, tr] = storageKey(t, k);
  if (!s.index) return [th, tr];
  const [ih, ir] = storageKey(s.index, k);
  return [ih, ir, th, tr];
}

interface Page {
  items: Item[];
  scanned: number;
  bytes: number;
  last: Item | undefined;
}

/** Reads rows in order until Limit items or 1 MB, applying the filter after the read. */
function readPage(s: Source, rows: Iterable<Row>, limit: number | undefined, filter: Condition | undefined): Page {
  const page: Page = { items: [], scanned: 0, bytes: 0, last: undefined };
  let lastItem: Item | undefined;
  for (const row of rows) {
    if (page.scanned > 0 && page.bytes + row.size > MAX_PAGE_BYTES) {
      page.last = lastItem;
      break;
    }
    const item = projectIndex(s, decodeItem(row.item));
    page.scanned++;
    page.bytes += row.size;
    lastItem = item;
    if (!filter || evaluate(item, filter)) page.items.push(item);
    if (limit !== undefined && page.scanned >= limit) {
      page.last = item;
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
function shape(s: Source, select: string | undefined, projection: Path[] | undefined, hasProjectionParam: boolean): (item: Item) => Item {
  if (select === 'SPECIFIC_ATTRIBUTES' && !projection) throw invalid('One or more parameter values were invalid: Select type SPECIFIC_ATTRIBUTES requires a ProjectionExpression or AttributesToGet');
  if (select && select !== 'SPECIFIC_ATTRIBUTES' && hasProjectionParam) {
    throw invalid(`One or more parameter values were invalid: Cannot specify the ProjectionExpression or AttributesToGet when choosing to get ${select}`);
  }
  if (select === 'ALL_PROJECTED_ATTRIBUTES' && !s.index) throw invalid('One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES is not supported for a query or scan without an index');
  if (select === 'ALL_ATTRIBUTES' && s.index?.global && s.index.projection.ProjectionType !== 'ALL') {
    throw invalid(`One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index ${s.index.name} because its projection type is not ALL`);
  }
  return projection ? (item) => project(item, projection) : (item) => item;
}

function output(s: Source, page: Page, select: string | undefined, reshape: (i: Item) => Item, capacityMode: string | undefined, consistent: boolean | undefined) {
  return {
    ...(select === 'COUNT' ? {} : { Items: page.items.map(reshape) }),
    Count: page.items.length,
    ScannedCount: page.scanned,
    ...(page.last ? { LastEvaluatedKey: page.last } : {}),
    ConsumedCapacity: consumed(capacityMode, s.table, readUnits(page.bytes, consistent), 'read'),
  };
}

function checkConsistency(s: Source, consistent: boolean | undefined): void {
  if (consistent && s.index?.global) throw invalid('Consistent reads are not supported on global secondary indexes');
}

export const queryHandlers: Handlers<Operations> = {
  Query(input, ctx) {
    const t = getTable(ctx, input.TableName);
    const s = source(t, input.IndexName);
    checkConsistency(s, input.ConsistentRead);
    const ex = parseExpressions(input);
    const reshape = shape(s, input.Select, ex.projection, input.ProjectionExpression !== undefined || input.AttributesToGet !== undefined);
    const { hash, range } = keyCondition(s, ex.keyCondition);
    const forward = input.ScanIndexForward !== false;
    const dir = forward ? 'ASC' : 'DESC';
    let sql = `${select(s)} AND x.hash_key = ?`;
    const params: unknown[] = [...fromParams(s), hash];
    if (range) {
      const [a, b] = range.values as [Buffer, Buffer | undefined];
      if (range.op === 'between') { sql += ' AND x.range_key >= ? AND x.range_key <= ?'; params.push(a, b); }
      else if (range.op === 'begins_with') {
        const end = prefixEnd(a);
        sql += ' AND x.range_key >= ?' + (end ? ' AND x.range_key < ?' : '');
        params.push(a, ...(end ? [end] : []));
      } else { sql += ` AND x.range_key ${range.op} ?`; params.push(a); }
    }
    const start = startPosition(s, input.ExclusiveStartKey);
    if (start) {
      const cmp = forward ? '>' : '<';
      if (s.index) { sql += ` AND (x.range_key, x.item_hash, x.item_range) ${cmp} (?, ?, ?)`; params.push(start[1], start[2], start[3]); }
      else { sql += ` AND x.range_key ${cmp} ?`; params.push(start[1]); }
    }
    sql += s.index ? ` ORDER BY x.range_key ${dir}, x.item_hash ${dir}, x.item_range ${dir}` : ` ORDER BY x.range_key ${dir}`;
    const page = readPage(s, statement(ctx, sql).iterate(...(params as [{}])) as Iterable<Row>, input.Limit, ex.filter);
    return output(s, page, input.Select, reshape, input.ReturnConsumedCapacity, input.ConsistentRead);
  },

  Scan(input, ctx) {
    if (input.Segment !== undefined && input.TotalSegments === undefined) throw invalid('The TotalSegments parameter is required but was not present in the request when Segment parameter is present');
    if (input.TotalSegments !== undefined && input.Segment === undefined) throw invalid('The Segment parameter is required but was not present in the request when parameter TotalSegments is present');
    if (input.Segment !== undefined && input.Segment >= input.TotalSegments!) {
      throw invalid(`The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: ${input.Segment} is not less than TotalSegments: ${input.TotalSegments}`);
    }
    const t = getTable(ctx, input.TableName);
    const s = source(t, input.IndexName);
    checkConsistency(s, input.ConsistentRead);
    const ex = parseExpressions(input);
    const reshape = shape(s, input.Select, ex.projection, input.ProjectionExpression !== undefined || input.AttributesToGet !== undefined);
    let sql = select(s);
    const params = fromParams(s);
    if (input.Segment !== undefined) {
      // Segments split the partition-key hash space evenly, as DynamoDB splits its partitions.
      const lo = Math.floor((input.Segment * 2 ** 32) / input.TotalSegments!);
      const hi = Math.floor(((input.Segment + 1) * 2 ** 32) / input.TotalSegments!);
      sql += ' AND x.scan_order >= ? AND x.scan_order < ?';
      params.push(lo, hi);
    }
    const start = startPosition(s, input.ExclusiveStartKey);
    if (start) {
      const cols = s.index ? '(x.scan_order, x.hash_key, x.range_key, x.item_hash, x.item_range)' : '(x.scan_order, x.hash_key, x.range_key)';
      sql += ` AND ${cols} > (${s.index ? '?, ?, ?, ?, ?' : '?, ?, ?'})`;
      params.push(scanOrder(start[0]!), ...start);
    }
    sql += s.index ? ' ORDER BY x.scan_order, x.hash_key, x.range_key, x.item_hash, x.item_range' : ' ORDER BY x.scan_order, x.hash_key, x.range_key';
    const page = readPage(s, statement(ctx, sql).iterate(...(params as [{}])) as Iterable<Row>, input.Limit, ex.filter);
    return output(s, page, input.Select, reshape, input.ReturnConsumedCapacity, input.ConsistentRead);
  },
};

