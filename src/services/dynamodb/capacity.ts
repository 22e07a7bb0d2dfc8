import type { ConsumedCapacity, ItemCollectionMetrics } from '../../generated/types/dynamodb.js';
import { indexes, tableKey, type IndexDef, type Table } from './table.js';
import { itemSize, type Item } from './values.js';

/**
 * Capacity units as DynamoDB counts them: a write is one unit per KB (rounded up), a read one per
 * 4 KB, halved when eventually consistent; writes to indexes cost the same again per index.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
 */
export function writeUnits(...items: (Item | undefined)[]): number {
  return Math.max(1, Math.ceil(Math.max(0, ...items.map((i) => (i ? itemSize(i) : 0))) / 1024));
}

export function readUnits(bytes: number, consistent: boolean | undefined): number {
  const units = Math.max(1, Math.ceil(bytes / 4096));
  return consistent ? units : units / 2;
}

/** `units` may be given as a function, for callers that would otherwise measure items nobody asked about. */
export function consumed(mode: string | undefined, t: Table, unitsOrCount: number | (() => number), kind: 'read' | 'write'): ConsumedCapacity | undefined {
  if (!mode || mode === 'NONE') return undefined;
  const units = typeof unitsOrCount === 'number' ? unitsOrCount : unitsOrCount();
  const gsis = kind === 'write' ? indexes(t).filter((i) => i.global) : [];
  const total = units * (1 + gsis.length);
  if (mode === 'TOTAL') return { TableName: t.name, CapacityUnits: total, ...(kind === 'read' ? { ReadCapacityUnits: total } : { WriteCapacityUnits: total }) };
  return {
    TableName: t.name, CapacityUnits: total,
    ...(kind === 'read' ? { ReadCapacityUnits: total } : { WriteCapacityUnits: total }),
    Table: { CapacityUnits: units, ...(kind === 'read' ? { ReadCapacityUnits: units } : { WriteCapacityUnits: units }) },
    ...(gsis.length ? { GlobalSecondaryIndexes: Object.fromEntries(gsis.map((g) => [g.name, { CapacityUnits: units, WriteCapacityUnits: units }])) } : {}),
  };
}

/** A read of an index: with INDEXES, the units are the index's, not the table's. */
export function consumedByIndex(mode: string | undefined, t: Table, index: IndexDef, units: number): ConsumedCapacity | undefined {
  if (mode !== 'INDEXES') return consumed(mode, t, units, 'read');
  const entry = { [index.name]: { CapacityUnits: units, ReadCapacityUnits: units } };
  return {
    TableName: t.name, CapacityUnits: units, ReadCapacityUnits: units, Table: { CapacityUnits: 0, ReadCapacityUnits: 0 },
    ...(index.global ? { GlobalSecondaryIndexes: entry } : { LocalSecondaryIndexes: entry }),
  };
}

/** Item collection metrics exist only for tables with local secondary indexes. */
export function collectionMetrics(mode: string | undefined, t: Table, item: Item | undefined): ItemCollectionMetrics | undefined {
  if (mode !== 'SIZE' || !item || !indexes(t).some((i) => !i.global)) return undefined;
  const hash = tableKey(t).hash;
  return { ItemCollectionKey: { [hash]: item[hash]! }, SizeEstimateRangeGB: [0, 1] };
}
