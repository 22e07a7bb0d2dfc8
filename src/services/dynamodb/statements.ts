import { createHash } from 'node:crypto';
import type { BatchStatementResponse, ExecuteTransactionInput, ExecuteTransactionOutput, Operations } from '../../generated/types/dynamodb.js';
import { AwsError, isAwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext } from '../service.js';
import { addCharge, consumed, noCharge, readUnits, writeCharge, writeUnits, type WriteCharge } from './capacity.js';
import { evaluate, project } from './expressions/evaluate.js';
import { checkSize, commit, conditionFailed, updatedItem } from './items.js';
import { checkParameters, equalities, parseStatement, type Statement } from './partiql.js';
import { checkItemKeys, checkKey, inTransaction, getTable, indexes, keyOf, readItem, tableKey, type IndexDef, type Table } from './table.js';
import { checkDistinct, idempotent } from './transactions.js';
import { checkItem, decodeItem, itemSize, keyBytes, type Item, type Value } from './values.js';
import { checkFilterAttributes, checkOverlap, existsKey, pinnedKey, projectedBy, selectKey, whereKey } from './where.js';

/**
 * PartiQL for DynamoDB: ExecuteStatement, BatchExecuteStatement, ExecuteTransaction. A SELECT
 * whose WHERE pins the partition key reads one partition; any other SELECT is a scan.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html
 */
const invalid = (m: string) => new AwsError('ValidationException', m);

interface Result {
  table: Table;
  items: Item[];
  /** A read's units, or a write's charge on the table and the indexes it changes (capacity.ts). */
  units: number | WriteCharge;
}

/** Adds a statement's units to its table's, `times` over. */
function charge(capacity: Map<Table, WriteCharge>, t: Table, units: number | WriteCharge, times = 1): void {
  const total = capacity.get(t) ?? noCharge();
  addCharge(total, typeof units === 'number' ? { table: units, indexes: new Map() } : units, times);
  capacity.set(t, total);
}

/**
 * The index a SELECT reads, if it names one. ExecuteStatement words an unknown one unlike Query,
 * unnamed (the Parity Suite's recordings, eu-west-1); and PartiQL reads no index with a
 * multi-attribute key, whatever else the statement says, though the words name tables (eu-west-2
 * and us-east-1): only what the parser refuses is reported first, and a function in the SELECT
 * list after it.
 */
function readIndex(t: Table, s: Statement & { kind: 'select' }): IndexDef | undefined {
  if (s.index === undefined) return undefined;
  const index = indexes(t).find((i) => i.name === s.index);
  if (!index) throw invalid('The table does not have the specified index');
  if (index.composite) throw invalid('PartiQL statements cannot be executed on tables with multi-attribute HASH keys or multi-attribute RANGE keys.');
  if (s.refused) throw s.refused;
  return index;
}

function select(ctx: RequestContext, t: Table, s: Statement & { kind: 'select' }, consistent: boolean): Item[] {
  // The index is looked up before a consistent read is refused (eu-west-1).
  const index = readIndex(t, s);
  if (consistent && index?.global) throw invalid('Strongly consistent read is not supported on Global Secondary Indexes');
  const held = projectedBy(t, index);
  const visible = index?.global ? held : undefined;
  const unprojected = [...new Set((s.projection ?? []).map((p) => p[0] as string))].filter((a) => visible && !visible.has(a));
  if (unprojected.length) throw invalid(`One or more parameter values were invalid: Global secondary index ${index!.name} does not project [${unprojected.join(', ')}]`);
  const keyDef = index ?? tableKey(t);
  checkOverlap(keyDef, s.where);
  if (index && held) checkFilterAttributes(index, held, s.where);
  const hash = equalities(s.where).get(keyDef.hash);
  let rows: string[];
  if (index) {
    const base = 'SELECT i.item FROM dynamodb_index_items x JOIN dynamodb_items i ON i.table_id = x.table_id AND i.hash_key = x.item_hash AND i.range_key = x.item_range WHERE x.table_id = ? AND x.index_name = ?';
    rows = (hash
      ? ctx.db.prepare(`${base} AND x.hash_key = ? ORDER BY x.range_key, x.item_hash, x.item_range`).pluck().all(t.id, index.name, keyBytes(hash))
      : ctx.db.prepare(`${base} ORDER BY x.scan_order, x.hash_key, x.range_key`).pluck().all(t.id, index.name)) as string[];
  } else {
    rows = (hash
      ? ctx.db.prepare('SELECT item FROM dynamodb_items WHERE table_id = ? AND hash_key = ? ORDER BY range_key').pluck().all(t.id, keyBytes(hash))
      : ctx.db.prepare('SELECT item FROM dynamodb_items WHERE table_id = ? ORDER BY scan_order, hash_key, range_key').pluck().all(t.id)) as string[];
  }
  if (s.descending) rows.reverse();
  const seen = (item: Item) => (visible ? Object.fromEntries(Object.entries(item).filter(([a]) => visible.has(a))) : item);
  return rows.map(decodeItem).filter((item) => !s.where || evaluate(item, s.where)).map((item) => (s.projection ? project(item, s.projection) : seen(item)));
}

/** Runs one parsed statement; writes go through the same commit (and stream records) as PutItem. */
function run(ctx: RequestContext, s: Statement, returnOnFailure: string | undefined, consistent = false): Result {
  const t = getTable(ctx, s.table);
  switch (s.kind) {
    case 'select': {
      const items = select(ctx, t, s, consistent);
      return { table: t, items, units: readUnits(items.reduce((n, i) => n + itemSize(i), 0), consistent) };
    }
    case 'insert': {
      const item = checkItem(s.item);
      checkItemKeys(t, item);
      checkSize(item);
      if (readItem(ctx, t, item)) throw new AwsError('DuplicateItemException', 'Duplicate primary key exists in table');
      commit(ctx, t, keyOf(tableKey(t), item), undefined, item);
      return { table: t, items: [], units: writeCharge(t, undefined, item) };
    }
    case 'update': {
      const key = pinnedKey(t, s.where);
      const before = readItem(ctx, t, key);
      if (!before || (s.where && !evaluate(before, s.where))) throw conditionFailed(before, returnOnFailure);
      // The item exists, so the update leaves one.
      const after = updatedItem(t, key, before, s.actions)!;
      commit(ctx, t, key, before, after);
      const changed = (i: Item) => project(i, s.actions.map((a) => a.path));
      const returned = s.returning === 'ALL_OLD' ? before : s.returning === 'ALL_NEW' ? after
        : s.returning === 'MODIFIED_OLD' ? changed(before) : s.returning === 'MODIFIED_NEW' ? changed(after) : undefined;
      // A projection left empty (MODIFIED NEW of a removed attribute) is no item at all.
      const items = returned && Object.keys(returned).length > 0 ? [returned] : [];
      return { table: t, items, units: writeCharge(t, before, after) };
    }
    case 'delete': {
      const key = pinnedKey(t, s.where);
      const before = readItem(ctx, t, key);
      if (before && !evaluate(before, s.where)) throw conditionFailed(before, returnOnFailure);
      if (before) commit(ctx, t, key, before, undefined);
      return { table: t, items: s.returning === 'ALL_OLD' && before ? [before] : [], units: writeCharge(t, before, undefined) };
    }
    case 'exists': {
      // A condition check, which ExecuteTransaction alone runs, on the item existsKey named.
      const item = readItem(ctx, t, existsKey(t, s.where)!);
      if (!item || !evaluate(item, s.where!)) throw conditionFailed(item, returnOnFailure);
      return { table: t, items: [], units: writeUnits(item) };
    }
  }
}

const EXISTS_OUTSIDE_TRANSACTION = 'EXISTS can only be used in ExecuteTransaction write requests.';

/** A refusal of ExecuteTransaction's statement i, which the message names. */
const refusal = (i: number, m: string) => invalid(`Validation failed in TransactStatements[${i}]: ${m}`);

/** Runs f for ExecuteTransaction's statement i, naming the statement in any refusal. */
function inStatement<T>(i: number, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isAwsError(e) && e.code === 'ValidationException') throw refusal(i, e.message);
    throw e;
  }
}

/** Refusals of ExecuteTransaction's statement i that need no table: they refuse the request. */
function checkTransactionStatement(s: Statement, i: number): void {
  if (s.kind === 'select' && s.index !== undefined) throw refusal(i, 'Reads on indices are not supported within transactions.');
  if (s.kind === 'exists' && s.index !== undefined) throw refusal(i, 'Operations on indices are not supported in transactions');
  if ((s.kind === 'update' || s.kind === 'delete') && s.returning) throw refusal(i, 'RETURNING clause is not supported in ExecuteTransaction.');
}

/** What f returns, or the error of that code it throws, as a value: a cancellation reason. */
function asReason<T>(f: () => T, code = 'ValidationException'): T | AwsError {
  try {
    return f();
  } catch (e) {
    if (isAwsError(e) && e.code === code) return e;
    throw e;
  }
}

function cancelled(reasons: { Code: string }[]): AwsError {
  return new AwsError('TransactionCanceledException', `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`, { fields: { CancellationReasons: reasons } });
}

/**
 * The item statement i of ExecuteTransaction acts on. A read that does not name one item by its
 * key alone, or an EXISTS without a condition, refuses the request; a key DynamoDB cannot use
 * (incomplete, of the wrong type, an item missing its key) is the statement's cancellation
 * reason instead (recorded against DynamoDB, eu-west-2).
 */
function transactionKey(t: Table, s: Statement, i: number): Item | AwsError {
  switch (s.kind) {
    case 'insert': return asReason(() => {
      const item = checkItem(s.item);
      checkItemKeys(t, item);
      return keyOf(tableKey(t), item);
    });
    case 'select': {
      inStatement(i, () => checkOverlap(tableKey(t), s.where));
      const key = selectKey(t, s);
      if (!key) throw refusal(i, 'Select statements within ExecuteTransaction must specify the primary key in the where clause.');
      return asReason(() => (checkKey(t, key), key));
    }
    case 'exists': {
      const key = existsKey(t, s.where);
      if (!key) throw refusal(i, 'EXISTS() must contain a single item read with additional condition');
      return asReason(() => (checkKey(t, key), key));
    }
    case 'update':
    case 'delete': return asReason(() => {
      const key = whereKey(t, s.where);
      checkKey(t, key);
      return key;
    });
  }
}

const ERROR_CODES: Record<string, string> = {
  ConditionalCheckFailedException: 'ConditionalCheckFailed', DuplicateItemException: 'DuplicateItem', ValidationException: 'ValidationError',
  ResourceNotFoundException: 'ResourceNotFound', TransactionConflictException: 'TransactionConflict',
};

export const statementHandlers: Handlers<Operations> = {
  ExecuteStatement(input, ctx) {
    const s = parseStatement(input.Statement, checkParameters(input.Parameters as Value[] | undefined));
    if (s.kind === 'exists') throw invalid(EXISTS_OUTSIDE_TRANSACTION);
    const r = inTransaction(ctx, () => run(ctx, s, input.ReturnValuesOnConditionCheckFailure, input.ConsistentRead ?? false));
    // Pages are positions in the result: NextToken is the offset of the next item, bound to the
    // statement it pages, so it cannot be replayed against another table or index.
    const statement = createHash('sha256').update(JSON.stringify([input.Statement, input.Parameters ?? null])).digest('base64url').slice(0, 16);
    const token = input.NextToken ? /^([\w-]{16})\.(\d+)$/.exec(Buffer.from(input.NextToken, 'base64').toString()) : undefined;
    if (input.NextToken && token?.[1] !== statement) throw invalid('Invalid NextToken');
    const offset = token ? Number(token[2]) : 0;
    const end = input.Limit ? offset + input.Limit : r.items.length;
    const page = r.items.slice(offset, end);
    return {
      Items: page,
      ...(end < r.items.length ? { NextToken: Buffer.from(`${statement}.${end}`).toString('base64') } : {}),
      ConsumedCapacity: consumed(input.ReturnConsumedCapacity, r.table, r.units, s.kind === 'select' ? 'read' : 'write'),
    };
  },

  BatchExecuteStatement(input, ctx) {
    if (input.Statements.length > 25) throw invalid('Too many items requested for the BatchExecuteStatement call');
    // A statement that cannot be read (a parameter that is not a number, nested too deep) is that
    // statement's ValidationError, not the batch's (the Parity Suite's recordings, eu-west-2).
    const parsed = input.Statements.map((st): Statement | AwsError => {
      try {
        return parseStatement(st.Statement, checkParameters(st.Parameters as Value[] | undefined));
      } catch (e) {
        if (isAwsError(e) && e.code === 'ValidationException') return e;
        throw e;
      }
    });
    const kinds = new Set(parsed.flatMap((s) => (isAwsError(s) ? [] : [s.kind === 'select' ? 'read' : 'write'])));
    if (kinds.size > 1) throw invalid('Batch statements must all be reads or all be writes');
    // Each member is charged on its own, a read at its own consistency.
    const capacity = new Map<Table, WriteCharge>();
    const responses: BatchStatementResponse[] = parsed.map((s, i) => {
      if (isAwsError(s)) return { Error: { Code: 'ValidationError', Message: s.message } };
      try {
        if (s.kind === 'exists') throw invalid(EXISTS_OUTSIDE_TRANSACTION);
        if (s.kind === 'select') {
          const t = getTable(ctx, s.table);
          readIndex(t, s);
          checkOverlap(tableKey(t), s.where);
          const key = selectKey(t, s);
          if (!key) return { Error: { Code: 'ValidationError', Message: 'Select statements within BatchExecuteStatement must specify the primary key in the where clause.' } };
          checkKey(t, key);
          const item = readItem(ctx, t, key);
          charge(capacity, t, readUnits(item ? itemSize(item) : 0, input.Statements[i]!.ConsistentRead));
          return { TableName: t.name, ...(item ? { Item: s.projection ? project(item, s.projection) : item } : {}) };
        }
        // A member's ReturnValuesOnConditionCheckFailure is inert: a failed condition returns no
        // item; a RETURNING clause is honoured (the Parity Suite's recordings, eu-west-2).
        const r = inTransaction(ctx, () => run(ctx, s, undefined));
        charge(capacity, r.table, r.units);
        return { TableName: r.table.name, ...(r.items[0] ? { Item: r.items[0] } : {}) };
      } catch (e) {
        if (!isAwsError(e) || !ERROR_CODES[e.code]) throw e;
        return { TableName: s.table, Error: { Code: ERROR_CODES[e.code] as 'ValidationError', Message: e.message } };
      }
    });
    const cc = [...capacity].map(([t, units]) => consumed(input.ReturnConsumedCapacity, t, units, kinds.has('read') ? 'read' : 'write')).filter((c) => !!c);
    return { Responses: responses, ...(cc.length ? { ConsumedCapacity: cc } : {}) };
  },

  // A ClientRequestToken makes the transaction idempotent for ten minutes, as TransactWriteItems'
  // does (transactions.ts): a replay runs nothing and answers the first answer again (the Parity
  // Suite's recordings: a replayed SET n = n + 1 applies once).
  ExecuteTransaction(input, ctx) {
    return idempotent(ctx, 'ExecuteTransaction', input.ClientRequestToken, input.TransactStatements, () => {
      const output = executeTransaction(input, ctx);
      return { output, kept: output };
    }, (output) => ({ ...output, ConsumedCapacity: undefined }));
  },
};

/** ExecuteTransaction's statements, run all or none. */
function executeTransaction(input: ExecuteTransactionInput, ctx: RequestContext): ExecuteTransactionOutput {
  // Every statement's parameters are checked before any statement is read.
  const params = input.TransactStatements.map((st) => checkParameters(st.Parameters as Value[] | undefined));
  const parsed = input.TransactStatements.map((st, i) => inStatement(i, () => parseStatement(st.Statement, params[i]!)));
  const reads = parsed.filter((s) => s.kind === 'select').length;
  if (reads !== 0 && reads !== parsed.length) throw invalid('Transaction statements must all be reads or all be writes');
  parsed.forEach(checkTransactionStatement);
  // A statement whose table is missing or whose key is unusable cancels the transaction before
  // anything runs; the others' reasons are None (recorded against DynamoDB, eu-west-2).
  const targets = parsed.map((s, i): { t: Table; key: Item } | AwsError => {
    const t = asReason(() => getTable(ctx, s.table), 'ResourceNotFoundException');
    if (isAwsError(t)) return t;
    const key = transactionKey(t, s, i);
    return isAwsError(key) ? key : { t, key };
  });
  if (targets.some(isAwsError)) throw cancelled(targets.map((x) => (isAwsError(x) ? { Code: ERROR_CODES[x.code]!, Message: x.message } : { Code: 'None' })));
  checkDistinct(targets as { t: Table; key: Item }[]);
  return inTransaction(ctx, () => {
    const results: (Result | undefined)[] = [];
    const reasons = parsed.map((s, i) => {
      try {
        results[i] = run(ctx, s, input.TransactStatements[i]!.ReturnValuesOnConditionCheckFailure);
        return { Code: 'None' };
      } catch (e) {
        if (!isAwsError(e) || !ERROR_CODES[e.code]) throw e;
        return { Code: ERROR_CODES[e.code]!, Message: e.message, ...(e.fields['Item'] ? { Item: e.fields['Item'] } : {}) };
      }
    });
    if (reasons.some((r) => r.Code !== 'None')) throw cancelled(reasons);
    // A transaction of writes answers an empty Responses list, not one entry per statement
    // (the Parity Suite's recordings in four regions); a transaction of reads, one per statement.
    const responses = reads ? results.map((r) => (r?.items[0] ? { Item: r.items[0] } : {})) : [];
    // Each statement of a transaction costs twice its capacity, as TransactWriteItems' actions do.
    const capacity = new Map<Table, WriteCharge>();
    for (const r of results) if (r) charge(capacity, r.table, r.units, 2);
    const cc = [...capacity].map(([t, units]) => consumed(input.ReturnConsumedCapacity, t, units, reads ? 'read' : 'write')).filter((c) => !!c);
    return { Responses: responses, ...(cc.length ? { ConsumedCapacity: cc } : {}) };
  });
}
