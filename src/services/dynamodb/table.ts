import { hash } from 'node:crypto';
import type { AttributeDefinition, KeySchemaElement, Projection, TableDescription } from '../../generated/types/dynamodb.js';
import { AwsError } from '../../protocols/errors.js';
import { parseArn } from '../../arn.js';
import { otherCommits } from '../../state/database.js';
import type { RequestContext, ServiceEnv } from '../service.js';
import type { Path } from './expressions/parser.js';
import { encodeItem, decodeItem, itemSize, keyBytes, keyByteLength, typeOf, type Item, type Value } from './values.js';

/**
 * A table as Nimbus keeps it: its description (what DescribeTable shows, minus live counts), and
 * its items in `dynamodb_items` keyed by the bytes of their key attributes, so that SQLite's
 * B-tree orders them as DynamoDB does and a Query is a range read. Secondary indexes are rows of
 * `dynamodb_index_items` pointing at the item.
 */
export interface Table {
  id: string;
  name: string;
  accountId: string;
  region: string;
  description: TableDescription;
  tags: Record<string, string>;
  ttlAttribute: string | undefined;
  /** When point-in-time recovery was enabled (clock ms), if it is. */
  recoverySince: number | undefined;
  /** How many days back a point-in-time restore may reach (RecoveryPeriodInDays), 35 unless set. */
  recoveryDays?: number;
  /** Keys, indexes and attribute types, worked out once for a table the data plane holds. */
  schema?: Schema;
}

export interface KeyDef {
  hash: string;
  range: string | undefined;
  /**
   * A global index's multi-attribute key: up to four HASH and four RANGE attributes, in the
   * schema's order; `hash` and `range` are then the first of each. A table's key, a local index's
   * and a global index's of one HASH and at most one RANGE attribute have none.
   * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.MultiAttributeKeys
   */
  composite?: { hash: string[]; range: string[] };
}

export interface IndexDef extends KeyDef {
  name: string;
  global: boolean;
  projection: Projection;
}

export const migrations = [{
  id: 'dynamodb/001-tables-items',
  sql: `
    CREATE TABLE dynamodb_tables (
      id TEXT PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
      description TEXT NOT NULL, tags TEXT NOT NULL, ttl_attribute TEXT, point_in_time_recovery BOOLEAN NOT NULL DEFAULT FALSE,
      UNIQUE (account_id, region, name));
    CREATE TABLE dynamodb_items (
      table_id TEXT NOT NULL, hash_key BYTEA NOT NULL, range_key BYTEA NOT NULL, scan_order BIGINT NOT NULL,
      item TEXT NOT NULL, size INTEGER NOT NULL, expires_at BIGINT,
      PRIMARY KEY (table_id, hash_key, range_key));
    CREATE INDEX dynamodb_items_scan ON dynamodb_items (table_id, scan_order, hash_key, range_key);
    CREATE INDEX dynamodb_items_expiry ON dynamodb_items (expires_at) WHERE expires_at IS NOT NULL;
    CREATE TABLE dynamodb_index_items (
      table_id TEXT NOT NULL, index_name TEXT NOT NULL, hash_key BYTEA NOT NULL, range_key BYTEA NOT NULL,
      scan_order BIGINT NOT NULL, item_hash BYTEA NOT NULL, item_range BYTEA NOT NULL,
      PRIMARY KEY (table_id, index_name, hash_key, range_key, item_hash, item_range));
    CREATE INDEX dynamodb_index_items_scan ON dynamodb_index_items (table_id, index_name, scan_order, hash_key, range_key);
    CREATE INDEX dynamodb_index_items_item ON dynamodb_index_items (table_id, item_hash, item_range);
  `,
}];

/**
 * Whether an import (imports.ts) is still filling the table: it is CREATING until then, which
 * DescribeTable shows and the data plane answers as a table not found.
 */
export function importing(env: ServiceEnv, t: Table): boolean {
  return env.memory('dynamodb.importing', () => env.db.prepare(`SELECT 1 FROM dynamodb_imports WHERE table_id = ? AND status = 'IN_PROGRESS'`)).get(t.id) !== undefined;
}

function notFound(): AwsError {
  return new AwsError('ResourceNotFoundException', 'Requested resource not found');
}

/** TableName members accept a name or a table ARN. */
export function tableNameOf(nameOrArn: string): string {
  if (!nameOrArn.startsWith('arn:')) return nameOrArn;
  const arn = parseArn(nameOrArn);
  return arn?.resource.startsWith('table/') ? arn.resource.slice(6).split('/')[0]! : nameOrArn;
}

/**
 * The TableName of a control-plane request (CreateTable, DescribeTable, ...), judged by its length
 * in words of its own; its characters are judged with the request (src/protocols/validate.ts).
 */
export function checkTableName(name: string): void {
  if (!name.startsWith('arn:') && (name.length < 3 || name.length > 255)) {
    throw new AwsError('ValidationException', 'TableName must be at least 3 characters long and at most 255 characters long');
  }
}

interface TableRow { id: string; account_id: string; region: string; name: string; description: string; tags: string; ttl_attribute: string | null; recovery_since: number | null; recovery_days: number | null }

function fromRow(r: TableRow): Table {
  const description = JSON.parse(r.description) as TableDescription;
  description.CreationDateTime = new Date(description.CreationDateTime as unknown as string);
  return { id: r.id, name: r.name, accountId: r.account_id, region: r.region, description, tags: JSON.parse(r.tags) as Record<string, string>, ttlAttribute: r.ttl_attribute ?? undefined, recoverySince: r.recovery_since ?? undefined,
    ...(r.recovery_days !== null ? { recoveryDays: r.recovery_days } : {}) };
}

export function findTable(ctx: RequestContext, nameOrArn: string): Table | undefined {
  const row = statements(ctx).table.get(ctx.accountId, ctx.region, tableNameOf(nameOrArn)) as TableRow | undefined;
  return row ? fromRow(row) : undefined;
}

/**
 * The table an item operation names, or ResourceNotFoundException as the data plane words it.
 * Tables are parsed once and kept by the name (or ARN) and the caller's account and region; the
 * cache is dropped whenever this instance saves or drops a table, and when another connection
 * (another Nimbus on the same data directory) has committed. The data plane never modifies a Table.
 */
export function getTable(ctx: RequestContext, nameOrArn: string): Table {
  const cache = tableCache(ctx);
  if (cache.committedElsewhere()) cache.tables.clear();
  const key = `${ctx.accountId}/${ctx.region}/${nameOrArn}`;
  const hit = cache.tables.get(key);
  if (hit) return hit;
  // Names of tables that do not exist are not kept: requests may name any number of them.
  const row = statements(ctx).table.get(ctx.accountId, ctx.region, tableNameOf(nameOrArn)) as TableRow | undefined;
  if (!row) throw notFound();
  const table = fromRow(row);
  // A table being filled by an import is CREATING, and DynamoDB's data plane answers only ACTIVE
  // tables; it is kept out of the cache until it is ready.
  if (importing(ctx, table)) throw notFound();
  table.schema = deriveSchema(table.description);
  cache.tables.set(key, table);
  return table;
}

function tableCache(env: ServiceEnv) {
  return env.memory('dynamodb.tables', () => ({ committedElsewhere: otherCommits(env.db), tables: new Map<string, Table>() }));
}

export function tableById(env: ServiceEnv, id: string): Table | undefined {
  const row = env.db.prepare('SELECT * FROM dynamodb_tables WHERE id = ?').get(id) as TableRow | undefined;
  return row ? fromRow(row) : undefined;
}

export function listTableRows(ctx: RequestContext): Table[] {
  return (ctx.db.prepare('SELECT * FROM dynamodb_tables WHERE account_id = ? AND region = ? ORDER BY name').all(ctx.accountId, ctx.region) as TableRow[]).map(fromRow);
}

export function saveTable(ctx: RequestContext, t: Table): void {
  tableCache(ctx).tables.clear();
  ctx.db.prepare(`INSERT INTO dynamodb_tables (id, account_id, region, name, description, tags, ttl_attribute, recovery_since, recovery_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET description = excluded.description, tags = excluded.tags, ttl_attribute = excluded.ttl_attribute,
      recovery_since = excluded.recovery_since, recovery_days = excluded.recovery_days`)
    .run(t.id, t.accountId, t.region, t.name, JSON.stringify(t.description), JSON.stringify(t.tags), t.ttlAttribute ?? null, t.recoverySince ?? null, t.recoveryDays ?? null);
}

export function keyDef(schema: KeySchemaElement[] | undefined): KeyDef {
  const hash = (schema ?? []).filter((k) => k.KeyType === 'HASH').map((k) => k.AttributeName);
  const range = (schema ?? []).filter((k) => k.KeyType === 'RANGE').map((k) => k.AttributeName);
  return { hash: hash[0] ?? '', range: range[0], ...(hash.length > 1 || range.length > 1 ? { composite: { hash, range } } : {}) };
}

/** The HASH attributes of a key, then its RANGE attributes, each in the schema's order. */
export function keyParts(k: KeyDef): { hash: string[]; range: string[] } {
  return k.composite ?? { hash: [k.hash], range: k.range ? [k.range] : [] };
}

/** Every attribute of a key. */
export function keyAttributes(k: KeyDef): string[] {
  if (!k.composite) return k.range ? [k.hash, k.range] : [k.hash];
  return [...k.composite.hash, ...k.composite.range];
}

/** What the data plane derives from a description, worked out once per parsed table. */
interface Schema {
  key: KeyDef;
  /** The global indexes, then the local ones. */
  indexes: IndexDef[];
  types: Map<string, string>;
}

function deriveSchema(d: TableDescription): Schema {
  return {
    key: keyDef(d.KeySchema),
    // Global indexes first: DynamoDB judges (and names) an attribute keying both kinds by the global one.
    indexes: [
      ...(d.GlobalSecondaryIndexes ?? []).map((i) => ({ name: i.IndexName!, global: true, projection: i.Projection!, ...keyDef(i.KeySchema) })),
      ...(d.LocalSecondaryIndexes ?? []).map((i) => ({ name: i.IndexName!, global: false, projection: i.Projection!, ...keyDef(i.KeySchema) })),
    ],
    types: new Map((d.AttributeDefinitions ?? []).map((a) => [a.AttributeName!, a.AttributeType!])),
  };
}

/** Control-plane handlers change descriptions in place, so only the data plane's tables keep theirs. */
function schema(t: Table): Schema {
  return t.schema ?? deriveSchema(t.description);
}

export function tableKey(t: Table): KeyDef {
  return schema(t).key;
}

export function indexes(t: Table): IndexDef[] {
  return schema(t).indexes;
}

export function attributeType(t: Table, name: string): string | undefined {
  return schema(t).types.get(name);
}

/**
 * DynamoDB refuses a document path into a key attribute of the table or of an index (`a.b`,
 * `a[0]`) in projections, filters and updates, the table's keys first, then the global indexes'
 * and the local ones': key attributes are scalars.
 */
export function checkKeyPaths(t: Table, paths: readonly Path[]): void {
  let nested: Set<string> | undefined;
  for (const p of paths) if (p.length > 1) (nested ??= new Set()).add(p[0] as string);
  if (!nested) return;
  const refuse = (which: string, attr: string) =>
    new AwsError('ValidationException', `Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: ${which}: ${attr}`);
  const key = tableKey(t);
  for (const attr of [key.hash, key.range]) if (attr !== undefined && nested.has(attr)) throw refuse('Key', attr);
  for (const ix of indexes(t)) {
    for (const attr of keyAttributes(ix)) if (nested.has(attr)) throw refuse('IndexKey', attr);
  }
}

export function keyValueProblem(t: Table, attr: string, v: Value | undefined, inItem: boolean): string | undefined {
  const expected = attributeType(t, attr);
  if (!v) return inItem ? `One or more parameter values were invalid: Missing the key ${attr} in the item` : 'The provided key element does not match the schema';
  const actual = typeOf(v);
  if (actual !== expected) return inItem ? `One or more parameter values were invalid: Type mismatch for key ${attr} expected: ${expected} actual: ${actual}` : 'The provided key element does not match the schema';
  // An item's key and a Key parameter word an empty string differently (dynalite's recordings);
  // an empty binary reads "are not valid." in both (the Parity Suite's, of 2026).
  return emptyKeyProblem(attr, v, inItem || v.B?.length === 0 ? 'One or more parameter values are not valid.' : 'One or more parameter values were invalid:');
}

/** A key value that is an empty string or binary, which no key may be; `lead` opens the message. */
export function emptyKeyProblem(attr: string, v: Value | undefined, lead = 'One or more parameter values are not valid.'): string | undefined {
  const empty = v?.S === '' ? 'string' : v?.B?.length === 0 ? 'binary' : undefined;
  return empty && `${lead} The AttributeValue for a key attribute cannot contain an empty ${empty} value. Key: ${attr}`;
}

/** A Key parameter: exactly the table's key attributes, of their declared types. */
export function checkKey(t: Table, key: Item): void {
  const k = tableKey(t);
  const names = Object.keys(key);
  if (names.length !== (k.range ? 2 : 1) || !names.includes(k.hash) || (k.range && !names.includes(k.range))) {
    throw new AwsError('ValidationException', 'The provided key element does not match the schema');
  }
  for (const attr of [k.hash, k.range]) {
    if (!attr) continue;
    const problem = keyValueProblem(t, attr, key[attr], false);
    if (problem) throw new AwsError('ValidationException', problem);
  }
  checkKeySizes(k, key);
}

function checkKeySizes(k: KeyDef, item: Item): void {
  if (keyByteLength(item[k.hash]!) > 2048) throw new AwsError('ValidationException', 'One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes');
  if (k.range && keyByteLength(item[k.range]!) > 1024) throw new AwsError('ValidationException', 'One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes');
}

/**
 * An item to write: its table key present and typed, index keys (when present) typed and
 * non-empty. An UpdateItem words an index key of the wrong type differently from a PutItem.
 */
export function checkItemKeys(t: Table, item: Item, byUpdate = false): void {
  const k = tableKey(t);
  for (const attr of [k.hash, k.range]) {
    if (!attr) continue;
    const problem = keyValueProblem(t, attr, item[attr], true);
    if (problem) throw new AwsError('ValidationException', problem);
  }
  checkKeySizes(k, item);
  for (const ix of indexes(t)) {
    for (const attr of keyAttributes(ix)) {
      const v = item[attr];
      if (!v) continue;
      const expected = attributeType(t, attr);
      if (typeOf(v) !== expected) {
        if (byUpdate) throw new AwsError('ValidationException', 'The update expression attempted to update the secondary index key to unsupported type');
        throw new AwsError('ValidationException', `One or more parameter values were invalid: Type mismatch for Index Key ${attr} Expected: ${expected} Actual: ${typeOf(v)} IndexName: ${ix.name}`);
      }
      const empty = emptyIndexKey(ix, attr, v);
      if (empty) throw new AwsError('ValidationException', empty);
    }
  }
}

/** DynamoDB's refusal of an empty string or binary as `ix`'s key attribute `attr`, if `v` is one. */
export function emptyIndexKey(ix: IndexDef, attr: string, v: Value): string | undefined {
  if (v.S !== '' && v.B?.length !== 0) return undefined;
  return `One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty ${v.S === '' ? 'string' : 'binary'} value. IndexName: ${ix.name}, IndexKey: ${attr}`;
}

export function keyOf(k: KeyDef, item: Item): Item {
  if (k.composite) return Object.fromEntries(keyAttributes(k).map((a) => [a, item[a]!]));
  const out: Item = { [k.hash]: item[k.hash]! };
  if (k.range) out[k.range] = item[k.range]!;
  return out;
}

/** Scan order: the partition key's hash, as DynamoDB spreads partitions (and as Segment splits them). */
export function scanOrder(hashKey: Buffer): number {
  return hash('md5', hashKey, 'buffer').readUInt32BE(0);
}

const EMPTY = Buffer.alloc(0);

/** Statements of the item store, prepared once per Nimbus instance. */
function statements(ctx: ServiceEnv) {
  return ctx.memory('dynamodb.statements', () => ({
    table: ctx.db.prepare('SELECT * FROM dynamodb_tables WHERE account_id = ? AND region = ? AND name = ?'),
    get: ctx.db.prepare('SELECT item FROM dynamodb_items WHERE table_id = ? AND hash_key = ? AND range_key = ?').pluck(),
    getStored: ctx.db.prepare('SELECT item, size FROM dynamodb_items WHERE table_id = ? AND hash_key = ? AND range_key = ?').raw(),
    put: ctx.db.prepare(`INSERT INTO dynamodb_items (table_id, hash_key, range_key, scan_order, item, size, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (table_id, hash_key, range_key) DO UPDATE SET item = excluded.item, size = excluded.size, expires_at = excluded.expires_at`),
    del: ctx.db.prepare('DELETE FROM dynamodb_items WHERE table_id = ? AND hash_key = ? AND range_key = ?'),
    putIndex: ctx.db.prepare('INSERT INTO dynamodb_index_items (table_id, index_name, hash_key, range_key, scan_order, item_hash, item_range) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    delIndex: ctx.db.prepare('DELETE FROM dynamodb_index_items WHERE table_id = ? AND item_hash = ? AND item_range = ?'),
  }));
}

/**
 * Runs `work` in one SQLite transaction (a savepoint when nested). The wrapper is made once per
 * instance: better-sqlite3 builds a new one on every `db.transaction()` call.
 */
export function inTransaction<T>(ctx: ServiceEnv, work: () => T): T {
  return ctx.memory('dynamodb.transaction', () => ctx.db.transaction((f: () => unknown) => f()))(work) as T;
}

export function storageKey(k: KeyDef, item: Item): [Buffer, Buffer] {
  if (k.composite) return [partBytes(k.composite.hash.map((a) => keyBytes(item[a]!))), partBytes(k.composite.range.map((a) => keyBytes(item[a]!)))];
  return [keyBytes(item[k.hash]!), k.range ? keyBytes(item[k.range]!) : EMPTY];
}

/**
 * The bytes of a key part (the HASH or the RANGE attributes of a key): one attribute's own bytes,
 * so that every single-attribute key keeps the bytes it has always had, or for several the
 * concatenation of tupleElement of each, which sorts attribute by attribute as DynamoDB orders a
 * multi-attribute sort key.
 */
export function partBytes(values: Buffer[]): Buffer {
  if (values.length === 0) return EMPTY;
  return values.length === 1 ? values[0]! : Buffer.concat(values.map(tupleElement));
}

/**
 * One value of a multi-attribute key part: its bytes with 0x00 written 0x00 0x01, closed by
 * 0x00 0x00. No element is a prefix of another, and elements compare as their values do, so a
 * concatenation compares as the list of values, the first difference deciding.
 */
export function tupleElement(v: Buffer): Buffer {
  return Buffer.concat([tupleEscape(v), TUPLE_END]);
}

/** A value's bytes inside a tuple element, without the end mark: what begins_with compares. */
export function tupleEscape(v: Buffer): Buffer {
  if (!v.includes(0)) return v;
  const out: number[] = [];
  for (const b of v) out.push(...(b === 0 ? [0, 1] : [b]));
  return Buffer.from(out);
}

const TUPLE_END = Buffer.from([0, 0]);

export function readItem(ctx: RequestContext, t: Table, key: Item): Item | undefined {
  const [h, r] = storageKey(tableKey(t), key);
  const text = statements(ctx).get.get(t.id, h, r) as string | undefined;
  return text === undefined ? undefined : decodeItem(text);
}

/** An item as stored: the JSON the JSON protocol writes for it, and its size. */
export function readStoredItem(ctx: RequestContext, t: Table, key: Item): { text: string; size: number } | undefined {
  const [h, r] = storageKey(tableKey(t), key);
  const row = statements(ctx).getStored.get(t.id, h, r) as [string, number] | undefined;
  return row && { text: row[0], size: row[1] };
}

/** The TTL attribute's expiry in clock milliseconds, when it is a number of epoch seconds. */
export function expiry(t: Table, item: Item): number | null {
  const v = t.ttlAttribute ? item[t.ttlAttribute] : undefined;
  if (v?.N === undefined) return null;
  const ms = Number(v.N) * 1000;
  return Number.isFinite(ms) ? Math.floor(ms) : null;
}

export function writeItem(ctx: ServiceEnv, t: Table, item: Item): void {
  const st = statements(ctx);
  const [h, r] = storageKey(tableKey(t), item);
  st.put.run(t.id, h, r, scanOrder(h), encodeItem(item), itemSize(item), expiry(t, item));
  const ixs = indexes(t);
  if (ixs.length === 0) return;
  st.delIndex.run(t.id, h, r);
  for (const ix of ixs) {
    if (!indexHolds(ix, item)) continue;
    const [ih, ir] = storageKey(ix, item);
    st.putIndex.run(t.id, ix.name, ih, ir, scanOrder(ih), h, r);
  }
}

/** Sparse indexes: an index holds only the items that have every attribute of its key. */
export function indexHolds(ix: IndexDef, item: Item): boolean {
  return ix.composite ? keyAttributes(ix).every((a) => item[a]) : !!item[ix.hash] && (!ix.range || !!item[ix.range]);
}

/** What an index stores of an item it holds: the table's key, its own, and the attributes it projects. */
export function indexEntry(t: Table, ix: IndexDef, item: Item): Item {
  if (ix.projection.ProjectionType === 'ALL') return item;
  const keep = new Set([...keyAttributes(tableKey(t)), ...keyAttributes(ix), ...(ix.projection.NonKeyAttributes ?? [])]);
  return Object.fromEntries(Object.entries(item).filter(([k]) => keep.has(k)));
}

export function deleteItem(ctx: ServiceEnv, t: Table, key: Item): void {
  const st = statements(ctx);
  const [h, r] = storageKey(tableKey(t), key);
  st.del.run(t.id, h, r);
  if (indexes(t).length > 0) st.delIndex.run(t.id, h, r);
}

/** Rebuilds one index from the table's items (a GSI added by UpdateTable is backfilled at once). */
export function backfillIndex(ctx: RequestContext, t: Table, ix: IndexDef): void {
  const st = statements(ctx);
  for (const row of ctx.db.prepare('SELECT hash_key, range_key, item FROM dynamodb_items WHERE table_id = ?').all(t.id) as Array<{ hash_key: Buffer; range_key: Buffer; item: string }>) {
    const item = decodeItem(row.item);
    // Items whose attributes do not have the index key's declared type stay out of the index, as
    // do those a write could not have put there: an empty string or binary, or a value too long to
    // be a key (2048 bytes for a partition key, 1024 for a sort key; https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html).
    if (keyAttributes(ix).some((a) => !item[a] || typeOf(item[a]) !== attributeType(t, a) || item[a].S === '' || item[a].B?.length === 0)) continue;
    const { hash, range } = keyParts(ix);
    if (hash.some((a) => keyByteLength(item[a]!) > 2048) || range.some((a) => keyByteLength(item[a]!) > 1024)) continue;
    const [ih, ir] = storageKey(ix, item);
    st.putIndex.run(t.id, ix.name, ih, ir, scanOrder(ih), row.hash_key, row.range_key);
  }
}

export function tableStats(ctx: RequestContext, t: Table): { count: number; bytes: number } {
  const row = ctx.db.prepare('SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes FROM dynamodb_items WHERE table_id = ?').get(t.id) as { count: number; bytes: number };
  return row;
}

export function indexStats(ctx: RequestContext, t: Table, index: string): { count: number; bytes: number } {
  return ctx.db.prepare(`SELECT COUNT(*) AS count, COALESCE(SUM(i.size), 0) AS bytes FROM dynamodb_index_items x
    JOIN dynamodb_items i ON i.table_id = x.table_id AND i.hash_key = x.item_hash AND i.range_key = x.item_range
    WHERE x.table_id = ? AND x.index_name = ?`).get(t.id, index) as { count: number; bytes: number };
}

export function dropTableData(ctx: RequestContext, t: Table): void {
  tableCache(ctx).tables.clear();
  ctx.db.prepare('DELETE FROM dynamodb_items WHERE table_id = ?').run(t.id);
  ctx.db.prepare('DELETE FROM dynamodb_index_items WHERE table_id = ?').run(t.id);
  ctx.db.prepare('DELETE FROM dynamodb_tables WHERE id = ?').run(t.id);
}

