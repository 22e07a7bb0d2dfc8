import type { Capacity, ConsumedCapacity, ItemCollectionMetrics } from '../../generated/types/dynamodb.js';
import { indexEntry, indexes, indexHolds, keyAttributes, tableKey, type IndexDef, type Table } from './table.js';
import { itemSize, valuesEqual, type Item } from './values.js';

/**
 * Capacity units as DynamoDB counts them: a write is one unit per KB (rounded up) of the larger of
 * the item's two images, a read one per 4 KB, halved when eventually consistent.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
 */
export function writeUnits(...items: (Item | undefined)[]): number {
  return Math.max(1, Math.ceil(Math.max(0, ...items.map((i) => (i ? itemSize(i) : 0))) / 1024));
}

export function readUnits(bytes: number, consistent: boolean | undefined): number {
  const units = Math.max(1, Math.ceil(bytes / 4096));
  return consistent ? units : units / 2;
}

/** What a write costs: the table's units, and those of each index whose entry for the item it changes. */
export interface WriteCharge {
  table: number;
  indexes: Map<IndexDef, number>;
}

/**
 * A write's cost on the table and on each index, global and local alike, by what the index stores
 * of the item before and after: an entry put or removed costs one unit per KB of it, a changed
 * index key two writes (the old entry's delete, the new one's put), a changed projected attribute
 * one, and an entry left as it was nothing, as the Parity Suite records DynamoDB charging
 * (tests/tier1/putItem/indexConsumedCapacity.test.ts, eu-west-2).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations.Writes
 */
export function writeCharge(t: Table, before: Item | undefined, after: Item | undefined): WriteCharge {
  const charge: WriteCharge = { table: writeUnits(before, after), indexes: new Map() };
  for (const ix of indexes(t)) {
    const units = indexWriteUnits(t, ix, before, after);
    if (units > 0) charge.indexes.set(ix, units);
  }
  return charge;
}

function indexWriteUnits(t: Table, ix: IndexDef, before: Item | undefined, after: Item | undefined): number {
  const old = before && indexHolds(ix, before) ? indexEntry(t, ix, before) : undefined;
  const next = after && indexHolds(ix, after) ? indexEntry(t, ix, after) : undefined;
  if (!old || !next) return old || next ? writeUnits(old, next) : 0;
  if (keyAttributes(ix).some((a) => !valuesEqual(old[a]!, next[a]!))) return writeUnits(old) + writeUnits(next);
  return valuesEqual({ M: old }, { M: next }) ? 0 : writeUnits(old, next);
}

/** Adds `charge`, `times` over (a transaction's writes count twice), to `total`. */
export function addCharge(total: WriteCharge, charge: WriteCharge, times = 1): WriteCharge {
  total.table += times * charge.table;
  for (const [ix, units] of charge.indexes) total.indexes.set(ix, (total.indexes.get(ix) ?? 0) + times * units);
  return total;
}

export function noCharge(): WriteCharge {
  return { table: 0, indexes: new Map() };
}

/**
 * ConsumedCapacity as an operation reports it: the total, and under INDEXES the table's arm and an
 * arm for each index the operation charged (none for an index it cost nothing). Only the
 * transactions (and PartiQL, which its callers judge) also split the units into
 * ReadCapacityUnits or WriteCapacityUnits, which `kind` names; single-item operations, Query, Scan
 * and the batch operations report the aggregate alone (the Parity Suite's recordings: 'reports only
 * the aggregate, no read/write split'; the API reference lists TableName and CapacityUnits for the
 * batch operations' entries).
 * `charge` may be given as a function, for callers that would otherwise measure items nobody asked about;
 * a number is the table's units alone.
 */
export function consumed(mode: string | undefined, t: Table, charge: number | WriteCharge | (() => number | WriteCharge), kind?: 'read' | 'write'): ConsumedCapacity | undefined {
  if (!mode || mode === 'NONE') return undefined;
  const c = typeof charge === 'function' ? charge() : charge;
  const table = typeof c === 'number' ? c : c.table;
  let total = table;
  if (typeof c !== 'number') for (const units of c.indexes.values()) total += units;
  const out: ConsumedCapacity = { TableName: t.name, CapacityUnits: total };
  if (kind) out[kind === 'read' ? 'ReadCapacityUnits' : 'WriteCapacityUnits'] = total;
  if (mode !== 'INDEXES') return out;
  out.Table = arm(table, kind);
  if (typeof c === 'number') return out;
  for (const [ix, units] of c.indexes) {
    (out[ix.global ? 'GlobalSecondaryIndexes' : 'LocalSecondaryIndexes'] ??= {})[ix.name] = arm(units, kind);
  }
  return out;
}

function arm(units: number, kind: 'read' | 'write' | undefined): Capacity {
  const a: Capacity = { CapacityUnits: units };
  if (kind) a[kind === 'read' ? 'ReadCapacityUnits' : 'WriteCapacityUnits'] = units;
  return a;
}

/** Item collection metrics exist only for tables with local secondary indexes. */
export function collectionMetrics(mode: string | undefined, t: Table, item: Item | undefined): ItemCollectionMetrics | undefined {
  if (mode !== 'SIZE' || !item || !indexes(t).some((i) => !i.global)) return undefined;
  const hash = tableKey(t).hash;
  return { ItemCollectionKey: { [hash]: item[hash]! }, SizeEstimateRangeGB: [0, 1] };
}
