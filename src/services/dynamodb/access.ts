import type { TableDescription } from '../../generated/types/dynamodb.js';
import type { ContextValue } from '../../iam/match.js';
import { Placeholders, parseCondition, parseProjection, parseUpdate, type Condition, type Path } from './expressions/parser.js';
import { equalities } from './partiql.js';

/**
 * DynamoDB's condition keys of a request, for IAM enforcement's fine-grained access control:
 * which partition keys (`dynamodb:LeadingKeys`) and which top-level attributes
 * (`dynamodb:Attributes`) of one table or index the request touches, and its `dynamodb:Select`,
 * `dynamodb:ReturnValues` and `dynamodb:ReturnConsumedCapacity`.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 *
 * An expression that does not parse gives no attributes here: the operation itself refuses it.
 */
type Wire = Record<string, Record<string, unknown>>;

/** What one request asks of one item (or, for Query and Scan, of the table). */
interface Access {
  key?: Wire;
  item?: Wire;
  names?: Record<string, string>;
  projection?: string;
  attributesToGet?: string[];
  update?: string;
  attributeUpdates?: Record<string, unknown>;
}

interface Params {
  TableName?: string;
  Key?: Wire;
  Item?: Wire;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Wire;
  ProjectionExpression?: string;
  AttributesToGet?: string[];
  UpdateExpression?: string;
  AttributeUpdates?: Record<string, unknown>;
  KeyConditionExpression?: string;
  KeyConditions?: Record<string, { AttributeValueList?: Wire[]; ComparisonOperator?: string }>;
  Select?: string;
  ReturnValues?: string;
  ReturnConsumedCapacity?: string;
  RequestItems?: Record<string, unknown>;
  TransactItems?: Record<string, Params>[];
}

/** `table` is the table's name; `index`, the index the authorization names, if any. */
export function conditionKeys(operation: string, input: Params, table: TableDescription, index: string | undefined): Record<string, ContextValue> {
  const ours = (name: string | undefined) => name !== undefined && (name === table.TableName || name === table.TableArn);
  const accesses: Access[] = [];
  const withNames = (p: Params, a: Access): Access => ({ ...a, ...(p.ExpressionAttributeNames ? { names: p.ExpressionAttributeNames } : {}) });
  const read = (p: Params): Access => ({ ...(p.ProjectionExpression !== undefined ? { projection: p.ProjectionExpression } : {}), ...(p.AttributesToGet ? { attributesToGet: p.AttributesToGet } : {}) });
  switch (operation) {
    case 'GetItem': case 'DeleteItem':
      accesses.push(withNames(input, { ...(input.Key ? { key: input.Key } : {}), ...read(input) }));
      break;
    case 'PutItem':
      if (input.Item) accesses.push({ item: input.Item });
      break;
    case 'UpdateItem':
      accesses.push(withNames(input, {
        ...(input.Key ? { key: input.Key } : {}), ...(input.UpdateExpression !== undefined ? { update: input.UpdateExpression } : {}),
        ...(input.AttributeUpdates ? { attributeUpdates: input.AttributeUpdates } : {}),
      }));
      break;
    case 'Query': case 'Scan':
      accesses.push(withNames(input, read(input)));
      break;
    case 'BatchGetItem':
      for (const [name, r] of Object.entries(input.RequestItems ?? {})) {
        if (!ours(name)) continue;
        const p = r as Params & { Keys?: Wire[] };
        for (const key of p.Keys ?? []) accesses.push(withNames(p, { key, ...read(p) }));
      }
      break;
    case 'BatchWriteItem':
      for (const [name, writes] of Object.entries(input.RequestItems ?? {})) {
        if (!ours(name) || !Array.isArray(writes)) continue;
        for (const w of writes as { PutRequest?: { Item?: Wire }; DeleteRequest?: { Key?: Wire } }[]) {
          if (w.PutRequest?.Item) accesses.push({ item: w.PutRequest.Item });
          if (w.DeleteRequest?.Key) accesses.push({ key: w.DeleteRequest.Key });
        }
      }
      break;
    case 'TransactGetItems': case 'TransactWriteItems':
      for (const entry of input.TransactItems ?? []) {
        for (const p of Object.values(entry)) {
          if (!ours(p?.TableName)) continue;
          accesses.push(withNames(p, {
            ...(p.Key ? { key: p.Key } : {}), ...(p.Item ? { item: p.Item } : {}), ...read(p),
            ...(p.UpdateExpression !== undefined ? { update: p.UpdateExpression } : {}),
          }));
        }
      }
      break;
    default:
      return {};
  }
  const out: Record<string, ContextValue> = {};
  const partition = partitionKey(table, index);
  const leading = new Set<string>();
  for (const a of accesses) {
    const v = (a.key ?? a.item)?.[partition];
    if (v !== undefined) leading.add(scalar(v));
  }
  if (operation === 'Query' && partition) {
    const v = queriedPartition(input, partition);
    if (v !== undefined) leading.add(v);
  }
  if (leading.size) out['dynamodb:LeadingKeys'] = [...leading];
  const attributes = new Set<string>();
  for (const a of accesses) for (const name of attributeNames(a)) attributes.add(name);
  if (attributes.size) out['dynamodb:Attributes'] = [...attributes];
  const select = selected(operation, input);
  if (select) out['dynamodb:Select'] = select;
  if (input.ReturnValues !== undefined) out['dynamodb:ReturnValues'] = input.ReturnValues;
  if (input.ReturnConsumedCapacity !== undefined) out['dynamodb:ReturnConsumedCapacity'] = input.ReturnConsumedCapacity;
  return out;
}

/** The partition key's attribute: the index's for an index, else the table's. */
function partitionKey(t: TableDescription, index: string | undefined): string {
  const schema = index === undefined ? t.KeySchema
    : [...t.GlobalSecondaryIndexes ?? [], ...t.LocalSecondaryIndexes ?? []].find((i) => i.IndexName === index)?.KeySchema;
  return schema?.find((k) => k.KeyType === 'HASH')?.AttributeName ?? '';
}

/** An attribute value as a condition compares it: a string, a number's text, a binary's base64. */
function scalar(v: Record<string, unknown>): string {
  const [type, value] = Object.entries(v)[0] ?? ['', ''];
  return type === 'B' && typeof value !== 'string' ? Buffer.from(value as Uint8Array).toString('base64') : String(value);
}

/** The partition key value a Query's key condition asks for, by KeyConditionExpression or KeyConditions. */
function queriedPartition(input: Params, partition: string): string | undefined {
  const legacy = input.KeyConditions?.[partition]?.AttributeValueList?.[0];
  if (legacy) return scalar(legacy);
  if (input.KeyConditionExpression === undefined) return undefined;
  let c: Condition;
  try {
    c = parseCondition(input.KeyConditionExpression, 'KeyConditionExpression', placeholders(input.ExpressionAttributeNames, input.ExpressionAttributeValues));
  } catch {
    return undefined;
  }
  const found = equalities(c).get(partition);
  return found ? scalar(found as Wire[string]) : undefined;
}

/** The request's placeholders for parsing alone; values stay as sent. */
function placeholders(names: Record<string, string> | undefined, values: Wire | undefined): Placeholders {
  return new Placeholders(names, values as ConstructorParameters<typeof Placeholders>[1]);
}

/** The top-level attributes one access names: its key's and item's, and those its expressions or lists name. */
function attributeNames(a: Access): string[] {
  const out = [...Object.keys(a.key ?? {}), ...Object.keys(a.item ?? {}), ...a.attributesToGet ?? [], ...Object.keys(a.attributeUpdates ?? {})];
  const ph = () => placeholders(a.names, undefined);
  const top = (paths: Path[]) => paths.map((p) => String(p[0]));
  try {
    if (a.projection !== undefined) out.push(...top(parseProjection(a.projection, ph())));
    if (a.update !== undefined) out.push(...top(parseUpdate(a.update, ph()).map((u) => u.path)));
  } catch {
    // Refused by the operation itself.
  }
  return out;
}

/**
 * dynamodb:Select: as the request gives it, or as its API defaults it for reads: specific
 * attributes when a projection names them, else all of the table's (or an index's projected) ones.
 */
function selected(operation: string, input: Params & { IndexName?: string }): string | undefined {
  if (input.Select !== undefined) return input.Select;
  if (!['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems'].includes(operation)) return undefined;
  if (input.ProjectionExpression !== undefined || input.AttributesToGet !== undefined) return 'SPECIFIC_ATTRIBUTES';
  return input.IndexName !== undefined ? 'ALL_PROJECTED_ATTRIBUTES' : 'ALL_ATTRIBUTES';
}
