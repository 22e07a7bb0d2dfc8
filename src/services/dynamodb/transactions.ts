import { createHash } from 'node:crypto';
import type { ConsumedCapacity, Operations, TransactWriteItem, TransactWriteItemsInput, TransactWriteItemsOutput } from '../../generated/types/dynamodb.js';
import { AwsError, isAwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext } from '../service.js';
import { addCharge, consumed, noCharge, readUnits, writeCharge, type WriteCharge } from './capacity.js';
import { evaluate, project } from './expressions/evaluate.js';
import { checkKeyUpdates, checkSize, commit, updatedItem } from './items.js';
import { PARAMS, parseExpressions, type Expressions } from './request.js';
import { checkItemKeys, checkKey, checkKeyPaths, emptyIndexKey, emptyKeyProblem, inTransaction, getTable, indexes, keyAttributes, keyOf, readItem, storageKey, tableKey, type Table } from './table.js';
import { checkItem, encodeItem, itemSize, type Item, type Value } from './values.js';

/**
 * TransactWriteItems and TransactGetItems: up to 100 actions, all or nothing, in one SQLite
 * transaction. A failed condition cancels the whole transaction with one reason per action.
 * ClientRequestToken makes a write idempotent for ten minutes.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
 */
const TOKEN_TTL_MS = 10 * 60 * 1000;
/** The bound on the aggregate size of a transaction's items. */
const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;
const invalid = (m: string) => new AwsError('ValidationException', m);

/** One entry of TransactionCanceledException's CancellationReasons, in action order. */
interface CancellationReason {
  Code: string;
  Message?: string;
  Item?: Item;
}

interface Action {
  kind: 'ConditionCheck' | 'Put' | 'Delete' | 'Update';
  t: Table;
  key: Item;
  item: Item | undefined;
  ex: Expressions;
  returnOnFailure: string | undefined;
  /** Why the action's key or item does not fit its table: a ValidationError reason, not a refused request. */
  invalid?: string;
}

/** The message of a ValidationException thrown by `check`, which DynamoDB reports as a cancellation reason. */
function validationError(check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (e) {
    if (isAwsError(e) && e.code === 'ValidationException') return e.message;
    throw e;
  }
}

/**
 * An empty string or binary as a table key value is refused before the transaction runs, for an
 * item's key and a Key parameter alike, in the item's words; other key problems cancel it.
 */
function checkKeyNotEmpty(t: Table, key: Item): void {
  const k = tableKey(t);
  for (const attr of [k.hash, k.range]) {
    const problem = attr === undefined ? undefined : emptyKeyProblem(attr, key[attr]);
    if (problem) throw invalid(problem);
  }
}

/**
 * A transaction's actions are checked in DynamoDB's older layer, without the validation envelope
 * of PutItem, UpdateItem and DeleteItem (the Parity Suite's recordings of us-east-1).
 */
const ACTION_PARAMS = {
  put: { ...PARAMS.put, enveloped: false, olderValueLayer: true },
  update: { ...PARAMS.update, enveloped: false, olderValueLayer: true },
};

/** An action's values and expressions, which DynamoDB checks for every action, in order, before it looks up any table. */
interface ParsedAction {
  kind: Action['kind'];
  spec: NonNullable<TransactWriteItem[Action['kind']]>;
  /** The Put's item, or the other actions' Key. */
  values: Item;
  ex: Expressions;
}

function parseAction(w: TransactWriteItem): ParsedAction {
  const kinds = (['ConditionCheck', 'Put', 'Delete', 'Update'] as const).filter((k) => w[k] !== undefined);
  if (kinds.length !== 1) throw invalid('TransactItems can only contain one of Check, Put, Update or Delete');
  const kind = kinds[0]!;
  const spec = w[kind]!;
  // Each action's expressions, then its attribute names, then its values, before the next action
  // (the Parity Suite's recordings, ten regions, 2026-10: a condition's syntax error is reported
  // before the same action's key nested too deep, an empty attribute name before its values).
  const ex = parseExpressions(spec, kind === 'Update' ? ACTION_PARAMS.update : ACTION_PARAMS.put);
  const given = kind === 'Put' ? w.Put!.Item : (spec as { Key: Item }).Key;
  if (Object.hasOwn(given, '')) throw invalid('Empty attribute name');
  const values = checkItem(given);
  // A Put's size is known from the request, so it is refused with it, not as a cancellation reason
  // (an Update's depends on the stored item; the Parity Suite's recordings, eu-west-2).
  if (kind === 'Put') checkSize(values);
  return { kind, spec, values, ex };
}

function prepare(ctx: RequestContext, { kind, spec, values, ex }: ParsedAction): Action {
  const t = getTable(ctx, spec.TableName);
  checkKeyNotEmpty(t, values);
  const returnOnFailure = spec.ReturnValuesOnConditionCheckFailure;
  // An empty index key the request itself gives refuses the request, where an index key of the
  // wrong type only cancels it (the Parity Suite's recordings, for a Put's item and an Update's SET).
  const given: [string, Value][] = kind === 'Put' ? Object.entries(values)
    : (ex.update ?? []).flatMap((a) => (a.kind === 'SET' && a.path.length === 1 && a.value.kind === 'value' ? [[a.path[0] as string, a.value.value] as [string, Value]] : []));
  for (const ix of indexes(t)) {
    for (const [attr, v] of given) {
      const empty = keyAttributes(ix).includes(attr) ? emptyIndexKey(ix, attr, v) : undefined;
      if (empty) throw invalid(empty);
    }
  }
  if (kind === 'Put') {
    const problem = validationError(() => checkItemKeys(t, values));
    return { kind, t, key: keyOf(tableKey(t), values), item: values, ex, returnOnFailure, invalid: problem };
  }
  const problem = validationError(() => checkKey(t, values));
  if (problem) return { kind, t, key: values, item: undefined, ex, returnOnFailure, invalid: problem };
  if (ex.update) {
    // Refused before the transaction runs, in UpdateItem's words, not as a cancellation reason.
    checkKeyUpdates(t, ex.update);
    checkKeyPaths(t, ex.update.map((a) => a.path));
  }
  return { kind, t, key: values, item: undefined, ex, returnOnFailure };
}

/** No two actions of a transaction (TransactWriteItems, TransactGetItems, ExecuteTransaction), read or write, may name the same item. */
export function checkDistinct(targets: readonly { t: Table; key: Item }[]): void {
  const ids = new Set<string>();
  for (const { t, key } of targets) {
    const id = `${t.id}/${storageKey(tableKey(t), key).map((b) => b.toString('hex')).join('/')}`;
    if (ids.has(id)) throw invalid('Transaction request cannot include multiple operations on one item');
    ids.add(id);
  }
}

/**
 * The items a transaction writes add up to at most 4 MB: each Put's item, and the key of each
 * other action (what the request carries of it), counted as DynamoDB counts item sizes.
 */
function checkTransactionSize(actions: readonly Action[]): void {
  let bytes = 0;
  for (const a of actions) bytes += itemSize(a.item ?? a.key);
  if (bytes > MAX_TRANSACTION_BYTES) {
    throw invalid('Collection size of items exceeded, which can also be caused by the aggregate size of the items in the transaction exceeding the 4MB limit');
  }
}

/**
 * A key or item that does not fit its table cancels the transaction before anything is read, for
 * reads and writes alike: the first such action is the ValidationError, every other action None.
 */
function cancelOnInvalid(actions: readonly { invalid?: string }[]): void {
  const first = actions.findIndex((a) => a.invalid !== undefined);
  if (first >= 0) throw canceled(actions.map((a, i): CancellationReason => (i === first ? { Code: 'ValidationError', Message: a.invalid } : { Code: 'None' })));
}

function canceled(reasons: CancellationReason[]): AwsError {
  return new AwsError('TransactionCanceledException', `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`, {
    fields: { CancellationReasons: reasons.map((r) => (r.Item ? { ...r, Item: JSON.parse(encodeItem(r.Item)) as unknown } : r)) },
  });
}

/** A token's transaction: a digest of its request, when it ran, and what its replay needs. */
interface TokenEntry { hash: string; at: number; kept: unknown }

function tokens(ctx: RequestContext) {
  return ctx.memory('dynamodb.transactionTokens', () => new Map<string, TokenEntry>());
}

/**
 * ClientRequestToken, for TransactWriteItems and ExecuteTransaction: the same token with the same
 * request within ten minutes runs nothing again and answers `replay` of what `run` kept; with
 * other parameters it is IdempotentParameterMismatchException. A request without a token just runs.
 */
export function idempotent<T, K>(ctx: RequestContext, operation: string, token: string | undefined, request: unknown,
  run: () => { output: T; kept: K }, replay: (kept: K) => T): T {
  if (token === undefined) return run().output;
  const key = `${operation}/${ctx.accountId}/${ctx.region}/${token}`;
  const hash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
  const seen = tokens(ctx).get(key);
  if (seen && ctx.clock.now() - seen.at < TOKEN_TTL_MS) {
    if (seen.hash !== hash) throw new AwsError('IdempotentParameterMismatchException', 'Request token was already used with different parameters');
    return replay(seen.kept as K);
  }
  const { output, kept } = run();
  tokens(ctx).set(key, { hash, at: ctx.clock.now(), kept });
  return output;
}

/** A transactional read costs twice a consistent read of the item; the units add up per table. */
function readsConsumed(mode: string | undefined, reads: readonly { t: Table; item: Item | undefined }[]): ConsumedCapacity[] {
  const units = new Map<Table, number>();
  for (const { t, item } of reads) units.set(t, (units.get(t) ?? 0) + 2 * readUnits(item ? itemSize(item) : 0, true));
  return [...units].map(([t, u]) => consumed(mode, t, u, 'read')).filter((c): c is ConsumedCapacity => !!c);
}

/** A TransactWriteItems run: its output, and what a replay of its token answers and reads. */
function transactWrite(input: TransactWriteItemsInput, ctx: RequestContext): { output: TransactWriteItemsOutput; kept: { output: TransactWriteItemsOutput; actions: readonly Action[] } } {
  const actions = input.TransactItems.map(parseAction).map((p) => prepare(ctx, p));
  cancelOnInvalid(actions);
  checkDistinct(actions);
  checkTransactionSize(actions);
  const output = inTransaction(ctx, () => {
    const befores = actions.map((a) => readItem(ctx, a.t, a.key));
    const afters: (Item | undefined)[] = [];
    const reasons: CancellationReason[] = actions.map((a, i) => {
      const before = befores[i];
      if (a.ex.condition && !evaluate(before, a.ex.condition)) {
        return { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', ...(a.returnOnFailure === 'ALL_OLD' && before ? { Item: before } : {}) };
      }
      try {
        // An Update's index key of the wrong type is worded as a Put's is (the Parity Suite's recordings), not as UpdateItem words it.
        afters[i] = a.kind === 'Put' ? a.item : a.kind === 'Update' ? updatedItem(a.t, a.key, before, a.ex.update ?? [], false) : a.kind === 'Delete' ? undefined : before;
      } catch (e) {
        if (isAwsError(e) && e.code === 'ValidationException') return { Code: 'ValidationError', Message: e.message };
        throw e;
      }
      return { Code: 'None' };
    });
    if (reasons.some((r) => r.Code !== 'None')) throw canceled(reasons);
    // Each action costs twice what it would alone, on the table and on each index it changes.
    const capacity = new Map<Table, WriteCharge>();
    actions.forEach((a, i) => {
      if (a.kind !== 'ConditionCheck') commit(ctx, a.t, a.key, befores[i], afters[i]);
      if (input.ReturnConsumedCapacity && input.ReturnConsumedCapacity !== 'NONE') {
        capacity.set(a.t, addCharge(capacity.get(a.t) ?? noCharge(), writeCharge(a.t, befores[i], afters[i]), 2));
      }
    });
    const cc = [...capacity].map(([t, units]) => consumed(input.ReturnConsumedCapacity, t, units, 'write')).filter((c): c is ConsumedCapacity => !!c);
    return cc.length ? { ConsumedCapacity: cc } : {};
  });
  return { output, kept: { output, actions } };
}

export const transactionHandlers: Handlers<Operations> = {
  TransactWriteItems(input, ctx) {
    return idempotent(ctx, 'TransactWriteItems', input.ClientRequestToken, input.TransactItems, () => transactWrite(input, ctx), ({ output, actions }) => {
      // A replay writes nothing: it reads the items, and reports the read capacity it consumed (ClientRequestToken, API reference).
      const mode = input.ReturnConsumedCapacity;
      const cc = mode && mode !== 'NONE' ? readsConsumed(mode, actions.map((a) => ({ t: a.t, item: readItem(ctx, a.t, a.key) }))) : [];
      return { ...output, ConsumedCapacity: cc.length ? cc : undefined };
    });
  },

  TransactGetItems(input, ctx) {
    const gets = input.TransactItems.map(({ Get: g }) => {
      const t = getTable(ctx, g.TableName);
      const key = checkItem(g.Key);
      checkKeyNotEmpty(t, key);
      const { projection } = parseExpressions(g, PARAMS.get);
      if (projection) checkKeyPaths(t, projection);
      return { t, key, projection, invalid: validationError(() => checkKey(t, key)) };
    });
    cancelOnInvalid(gets);
    checkDistinct(gets);
    const reads: { t: Table; item: Item | undefined }[] = [];
    const responses = gets.map(({ t, key, projection }) => {
      const item = readItem(ctx, t, key);
      reads.push({ t, item });
      if (!item) return {};
      // A projection that matches nothing of a present item leaves the response without an Item
      // (the Parity Suite's recordings), where BatchGetItem keeps an empty one.
      const shown = projection ? project(item, projection) : item;
      return Object.keys(shown).length ? { Item: shown } : {};
    });
    const cc = readsConsumed(input.ReturnConsumedCapacity, reads);
    return { Responses: responses, ...(cc.length ? { ConsumedCapacity: cc } : {}) };
  },
};
