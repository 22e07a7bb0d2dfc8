import type { ConsumedCapacity, ItemCollectionMetrics, KeysAndAttributes, Operations } from '../../generated/types/dynamodb.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import { addCharge, collectionMetrics, consumed, noCharge, readUnits, writeCharge } from './capacity.js';
import { project } from './expressions/evaluate.js';
import { checkSize, commit, keepsHistory } from './items.js';
import { PARAMS, parseExpressions } from './request.js';
import { checkItemKeys, checkKey, inTransaction, getTable, keyOf, readItem, storageKey, tableKey, type Table } from './table.js';
import { checkItem, encodeItem, itemSize, type Item } from './values.js';

/**
 * BatchGetItem and BatchWriteItem: up to 100 reads or 25 writes across tables, each item on its
 * own (no transaction), everything checked before anything is written. Nimbus never throttles, so
 * UnprocessedKeys/UnprocessedItems are empty unless a read passes the 16 MB response limit.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
 */
const MAX_BATCH_GET_BYTES = 16 * 1024 * 1024;
const invalid = (m: string) => new AwsError('ValidationException', m);

function checkDistinct(t: Table, keys: Item[]): void {
  const seen = new Set<string>();
  for (const k of keys) {
    const id = storageKey(tableKey(t), k).map((b) => b.toString('hex')).join('/');
    if (seen.has(id)) throw invalid('Provided list of item keys contains duplicates');
    seen.add(id);
  }
}

/** A key's attribute values as text, for telling duplicate keys apart before the table is known. */
function keyText(key: Item): string {
  return JSON.stringify(Object.keys(key).sort().map((n) => [n, encodeItem({ v: key[n]! })]));
}

/**
 * A write whose item has not the table's key: a batch words it as it words a Key that does not
 * match (the item-level messages of PutItem name the attribute).
 */
function checkWriteKeys(t: Table, item: Item): void {
  try {
    checkItemKeys(t, item);
  } catch (e) {
    if (e instanceof AwsError && /Missing the key|Type mismatch for key /.test(e.message)) throw invalid('The provided key element does not match the schema');
    throw e;
  }
}

export const batchHandlers: Handlers<Operations> = {
  BatchGetItem(input, ctx) {
    // The request as a whole projects one way: a ProjectionExpression for one table and
    // AttributesToGet for another are refused together (the Parity Suite's recordings).
    const asked = Object.values(input.RequestItems);
    if (asked.some((r) => r.ProjectionExpression !== undefined) && asked.some((r) => r.AttributesToGet !== undefined)) {
      throw invalid('Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}');
    }
    // Every table's request is checked before any table is looked up, as DynamoDB does.
    let total = 0;
    const checked = Object.entries(input.RequestItems).map(([name, r]) => {
      const projection = parseExpressions(r, PARAMS.get).projection;
      const seen = new Set<string>();
      const keys = r.Keys.map((k) => {
        const key = checkItem(k, 'current');
        const text = keyText(key);
        if (seen.has(text)) throw invalid('Provided list of item keys contains duplicates');
        seen.add(text);
        if (++total > 100) throw invalid('Too many items requested for the BatchGetItem call');
        return key;
      });
      return { name, r, keys, projection };
    });
    const requests = checked.map((c) => {
      const t = getTable(ctx, c.name);
      c.keys.forEach((k) => checkKey(t, k));
      checkDistinct(t, c.keys);
      return { ...c, t };
    });
    const responses: Record<string, Item[]> = {};
    const unprocessed: Record<string, KeysAndAttributes> = {};
    const capacity: ConsumedCapacity[] = [];
    let bytes = 0;
    let full = false;
    for (const { name, t, r, keys, projection } of requests) {
      responses[name] = [];
      let units = 0;
      for (const key of keys) {
        const item = full ? undefined : readItem(ctx, t, key);
        const size = item ? itemSize(item) : 0;
        // Once the next item would take the response past 16 MB, it and every key after it go back unprocessed.
        if (full || bytes + size > MAX_BATCH_GET_BYTES) {
          full = true;
          (unprocessed[name] ??= { ...r, Keys: [] }).Keys.push(key);
          continue;
        }
        if (!item) continue;
        bytes += size;
        units += readUnits(size, r.ConsistentRead);
        responses[name].push(projection ? project(item, projection) : item);
      }
      const c = consumed(input.ReturnConsumedCapacity, t, units);
      if (c) capacity.push(c);
    }
    return { Responses: responses, UnprocessedKeys: unprocessed, ...(capacity.length ? { ConsumedCapacity: capacity } : {}) };
  },

  BatchWriteItem(input, ctx) {
    const checked = Object.entries(input.RequestItems).map(([name, requests]) => {
      const ops = requests.map((w) => {
        if (!!w.PutRequest === !!w.DeleteRequest) throw invalid('Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes');
        if (w.PutRequest) {
          const item = checkItem(w.PutRequest.Item);
          checkSize(item);
          return { item, key: undefined };
        }
        return { item: undefined, key: checkItem(w.DeleteRequest!.Key) };
      });
      return { name, ops };
    });
    const total = checked.reduce((n, c) => n + c.ops.length, 0);
    if (total > 25) throw invalid('Too many items requested for the BatchWriteItem call');
    const writes = checked.map(({ name, ops }) => {
      const t = getTable(ctx, name);
      const keyed = ops.map(({ item, key }) => {
        if (item) {
          checkWriteKeys(t, item);
          return { key: keyOf(tableKey(t), item), item };
        }
        checkKey(t, key!);
        return { key: key!, item: undefined };
      });
      checkDistinct(t, keyed.map((o) => o.key));
      return { name, t, ops: keyed };
    });
    return inTransaction(ctx, () => {
      const capacity: ConsumedCapacity[] = [];
      const metrics: Record<string, ItemCollectionMetrics[]> = {};
      for (const { name, t, ops } of writes) {
        const charge = noCharge();
        const charged = (input.ReturnConsumedCapacity ?? 'NONE') !== 'NONE';
        // Puts are blind writes unless the old item is needed (see PutItem); deletes always look.
        const blindPuts = !charged && !keepsHistory(t);
        for (const { key, item } of ops) {
          const before = item && blindPuts ? undefined : readItem(ctx, t, key);
          commit(ctx, t, key, before, item);
          if (charged) addCharge(charge, writeCharge(t, before, item));
          const m = collectionMetrics(input.ReturnItemCollectionMetrics, t, item ?? key);
          if (m) (metrics[name] ??= []).push(m);
        }
        const c = consumed(input.ReturnConsumedCapacity, t, charge);
        if (c) capacity.push(c);
      }
      return { UnprocessedItems: {}, ...(Object.keys(metrics).length ? { ItemCollectionMetrics: metrics } : {}), ...(capacity.length ? { ConsumedCapacity: capacity } : {}) };
    });
  },
};
