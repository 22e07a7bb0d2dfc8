import type { Member, Shape, ServiceModel } from './model.js';

/**
 * Input checks from the model, before any handler runs: required members, enums, string and
 * list lengths, number ranges. Each violation carries AWS's wording; the protocol decides the
 * error code it travels in.
 */
export interface Violation {
  /** lowerCamel path as AWS writes it: `keySchema.1.member.attributeName`. */
  path: string;
  /** The member name as the caller wrote it (EC2's MissingParameter names it). */
  member: string;
  kind: 'required' | 'enum' | 'length' | 'range' | 'pattern';
  message: string;
  /** Reported by itself, in these words, instead of as one of "N validation errors detected". */
  alone?: true;
}

const MAX_REPORTED = 10;

export function validate(model: ServiceModel, shape: Shape | undefined, input: Record<string, unknown>): Violation[] {
  const out: Violation[] = [];
  if (shape) {
    const rules = RULES[model.id];
    if (rules && shape.shape && rules.tableNameParameter.includes(shape.shape) && (input['TableName'] === undefined || input['TableName'] === null)) {
      return [{ path: 'tableName', member: 'TableName', kind: 'required', message: "The parameter 'TableName' is required but was not present in the request", alone: true }];
    }
    const resolved = model.resolve(shape);
    if (mayFail(model, resolved)) checkStructure(model, resolved, input, '', '', out);
  }
  return out.slice(0, MAX_REPORTED);
}

/**
 * What a service's own validator checks otherwise than its published model says, by structure
 * (shape names as in the model).
 */
interface Rules {
  /** Members in the order the validator judges them, each in turn (not-null first, then its constraints); unlisted members follow in the model's order. */
  order: Record<string, string[]>;
  /** Members the validator requires although the model no longer does. */
  required: Record<string, string[]>;
  /** Members the model requires but the validator does not: the service's own checks report them missing, in words of their own. */
  notRequired: Record<string, string[]>;
  /** Members the validator leaves wholly to the service's own checks (presence and constraints), which word their errors themselves. */
  unchecked: Record<string, string[]>;
  /** A shape whose values, unless they are ARNs, are judged as another (given as a reference): a TableArn that holds a name, as a TableName. */
  names: Record<string, Shape>;
  /** The `pattern` constraints enforced (the models' others are in Java's dialect, or unchecked by AWS). */
  patterns: string[];
  /**
   * Inputs whose TableName is a required parameter, reported missing before anything else in
   * words of its own; the length of a name (not empty) is the handler's to report, in words of its
   * own too (after authorization, where Nimbus's pipeline puts a handler), so only its pattern is
   * judged here: CreateTable reports 'x!' at 'tableName' before an empty KeySchema (the Parity
   * Suite's recordings).
   */
  tableNameParameter: string[];
  /**
   * Members whose own length (of a list or map) or range is reported as the service's newer
   * validation writes it: without the value, at the path as the API spells it (`Value at 'RequestItems'`).
   */
  bare: Record<string, string[]>;
  /** Members whose value is shown as Java's toString writes it (`{t=[WriteRequest(putRequest=...)]}`), not as JSON. */
  javaShown: Record<string, string[]>;
  /** Members judged before the others, which are not judged when these fail. */
  first: Record<string, string[]>;
  /** Members whose violation is reported alone, in these words (given with Rules.first, before anything else). */
  aloneAs: Record<string, Record<string, string>>;
  /**
   * Inputs that, carrying the member `when`, are judged by the service's newer validation, which
   * reports only the first violation it meets, judging the members `order` names first.
   */
  newer: Record<string, { when: string; order: string[] }>;
}

/**
 * DynamoDB's, as its recorded answers show them (dynalite's validations list each operation's
 * members in the order DynamoDB reports them, `writeCapacityUnits` before `readCapacityUnits`).
 * DynamoDB still holds names to 3-255 characters of [a-zA-Z0-9_.-] although the model now lets
 * TableName be any ARN up to 1024, and still requires CreateTable's key schema.
 */
const RULES: Record<string, Rules> = {
  dynamodb: {
    order: {
      PutItemInput: ['ReturnConsumedCapacity', 'TableName', 'Item', 'ConditionalOperator', 'Expected', 'ReturnValues', 'ReturnItemCollectionMetrics', 'ConditionExpression', 'ExpressionAttributeValues', 'ExpressionAttributeNames'],
      GetItemInput: ['ReturnConsumedCapacity', 'AttributesToGet', 'TableName', 'Key', 'ConsistentRead', 'ProjectionExpression', 'ExpressionAttributeNames'],
      DeleteItemInput: ['ReturnConsumedCapacity', 'TableName', 'ReturnValues', 'ReturnItemCollectionMetrics', 'Key', 'ConditionalOperator', 'Expected', 'ConditionExpression', 'ExpressionAttributeValues', 'ExpressionAttributeNames'],
      UpdateItemInput: ['ReturnConsumedCapacity', 'TableName', 'ReturnItemCollectionMetrics', 'ReturnValues', 'ConditionalOperator', 'Key', 'Expected', 'AttributeUpdates', 'ConditionExpression', 'UpdateExpression', 'ExpressionAttributeValues', 'ExpressionAttributeNames'],
      QueryInput: ['Select', 'IndexName', 'ReturnConsumedCapacity', 'QueryFilter', 'TableName', 'ConditionalOperator', 'AttributesToGet', 'Limit', 'KeyConditions', 'ExclusiveStartKey', 'ConsistentRead', 'ScanIndexForward', 'KeyConditionExpression', 'FilterExpression', 'ProjectionExpression', 'ExpressionAttributeValues', 'ExpressionAttributeNames'],
      ScanInput: ['Select', 'IndexName', 'TotalSegments', 'ReturnConsumedCapacity', 'TableName', 'ConditionalOperator', 'ScanFilter', 'Segment', 'Limit', 'AttributesToGet', 'ExclusiveStartKey', 'FilterExpression', 'ProjectionExpression', 'ExpressionAttributeValues', 'ExpressionAttributeNames'],
      BatchGetItemInput: ['RequestItems', 'ReturnConsumedCapacity'],
      TransactWriteItemsInput: ['TransactItems', 'ClientRequestToken', 'ReturnConsumedCapacity', 'ReturnItemCollectionMetrics'],
      BatchWriteItemInput: ['ReturnConsumedCapacity', 'ReturnItemCollectionMetrics', 'RequestItems'],
      CreateTableInput: ['AttributeDefinitions', 'TableName', 'BillingMode', 'ProvisionedThroughput', 'KeySchema', 'GlobalSecondaryIndexes', 'LocalSecondaryIndexes'],
      UpdateTableInput: ['TableName', 'ProvisionedThroughput', 'BillingMode', 'GlobalSecondaryIndexUpdates'],
      ListTablesInput: ['Limit', 'ExclusiveStartTableName'],
      ProvisionedThroughput: ['WriteCapacityUnits', 'ReadCapacityUnits'],
      CreateGlobalSecondaryIndexAction: ['Projection', 'IndexName', 'ProvisionedThroughput', 'KeySchema'],
      ExpectedAttributeValue: ['AttributeValueList', 'ComparisonOperator', 'Exists', 'Value'],
    },
    required: { CreateTableInput: ['AttributeDefinitions', 'KeySchema'] },
    notRequired: { TagResourceInput: ['ResourceArn', 'Tags'], UntagResourceInput: ['ResourceArn', 'TagKeys'], ListTagsOfResourceInput: ['ResourceArn'] },
    // Tags are judged by settings.ts's checkTags: 'The Tag Key provided is invalid, Key: ' for an empty key.
    unchecked: { TagResourceInput: ['Tags'], UntagResourceInput: ['TagKeys'], CreateTableInput: ['Tags'] },
    names: { TableArn: { shape: 'TableName' } },
    patterns: ['[a-zA-Z0-9_.-]+'],
    tableNameParameter: ['CreateTableInput', 'DeleteTableInput', 'DescribeTableInput', 'UpdateTableInput', 'DescribeTimeToLiveInput', 'UpdateTimeToLiveInput'],
    // The batch operations answer in two generations of DynamoDB's validation at once (the Parity
    // Suite's recordings, 2026-10): an empty RequestItems or Keys list in the newer words, a bad
    // table name or request list in the older, BatchWriteItem's with the request as Java prints
    // it, and BatchWriteItem judges its enums first and alone.
    // Query's Limit is judged by the newer validation too ('Value at 'Limit''; Scan's still shows its value).
    bare: { BatchGetItemInput: ['RequestItems'], BatchWriteItemInput: ['RequestItems'], KeysAndAttributes: ['Keys'], QueryInput: ['Limit'] },
    javaShown: { BatchWriteItemInput: ['RequestItems'] },
    first: { BatchWriteItemInput: ['ReturnConsumedCapacity', 'ReturnItemCollectionMetrics'], QueryInput: ['ConditionalOperator'] },
    // Query judges ConditionalOperator in its newer validation, bare, against another enum, before
    // an unknown Select (the Parity Suite's recordings, eu-west-2 and us-east-1, 2026-10-09).
    aloneAs: { QueryInput: { ConditionalOperator: 'Failed to satisfy constraint: Member must satisfy enum value set: [ALL, OR]' } },
    // UpdateItem with a Key stops at its first violation, ReturnValues before ReturnConsumedCapacity
    // (eu-west-2 since 2026-06; older regions still join them, as they do without a Key everywhere).
    newer: { UpdateItemInput: { when: 'Key', order: ['ReturnValues'] } },
  },
};

/** How a structure's members are judged under a service's rules: in which order, and which must be present. */
interface Plan {
  members: Member[];
  required: Set<string>;
  /** Whether a TableName outside 3-255 characters is left to the handler (see Rules.tableNameParameter). */
  nameLengthLater: boolean;
  bare: Set<string>;
  javaShown: Set<string>;
  /** How many of `members` are judged first (Rules.first). */
  first: number;
  aloneAs: Record<string, string>;
  /** Rules.newer's trigger, and the members in the newer validation's order. */
  newer?: { when: string; members: Member[] };
}

const plans = new WeakMap<Shape, Plan>();
/** Per model, the rules' structure names by their members object, which a resolved shape shares with the shape it names. */
const ruledShapes = new WeakMap<ServiceModel, Map<object, string>>();

function plan(model: ServiceModel, rules: Rules, shape: Shape): Plan {
  let out = plans.get(shape);
  if (!out) {
    let byMembers = ruledShapes.get(model);
    if (!byMembers) {
      byMembers = new Map();
      for (const name of [...Object.keys(rules.order), ...Object.keys(rules.required), ...Object.keys(rules.notRequired), ...Object.keys(rules.unchecked), ...rules.tableNameParameter,
        ...Object.keys(rules.bare), ...Object.keys(rules.javaShown), ...Object.keys(rules.first), ...Object.keys(rules.aloneAs), ...Object.keys(rules.newer)]) {
        const members = model.raw.shapes[name]?.members;
        if (members) byMembers.set(members, name);
      }
      ruledShapes.set(model, byMembers);
    }
    const name = shape.members ? byMembers.get(shape.members) : undefined;
    const { list, byName } = model.members(shape);
    const ruled = <T>(r: Record<string, T[]>): T[] => (name ? r[name] ?? [] : []);
    const first = ruled(rules.first);
    const listed = [...first, ...ruled(rules.order).filter((n) => !first.includes(n))].map((n) => byName.get(n)).filter((m): m is Member => m !== undefined);
    const required = new Set([...(shape.required ?? []), ...ruled(rules.required)]);
    for (const n of ruled(rules.notRequired)) required.delete(n);
    const unchecked = ruled(rules.unchecked);
    for (const n of unchecked) required.delete(n);
    const members = [...listed, ...list.filter((m) => !listed.includes(m))].filter((m) => !unchecked.includes(m.name));
    const newer = name ? rules.newer[name] : undefined;
    const newerFirst = (newer?.order ?? []).map((n) => byName.get(n)).filter((m): m is Member => m !== undefined);
    out = {
      members, required, nameLengthLater: name !== undefined && rules.tableNameParameter.includes(name),
      bare: new Set(ruled(rules.bare)), javaShown: new Set(ruled(rules.javaShown)), first: first.length, aloneAs: (name && rules.aloneAs[name]) || {},
      newer: newer && { when: newer.when, members: [...newerFirst, ...members.filter((m) => !newerFirst.includes(m))] },
    };
    plans.set(shape, out);
  }
  return out;
}

/**
 * The shape a value is judged as: a TableArn member holding a name is judged as a TableName. An
 * empty one is not a name: it breaks the model's own minimum, and only that is reported (`Member
 * must have length greater than or equal to 1`, as DynamoDB answers now; the Parity Suite's
 * recordings of PutItem and UpdateItem).
 */
function judgedAs(model: ServiceModel, rules: Rules, ref: Shape, shape: Shape, value: unknown): Shape {
  const name = ref.shape ? rules.names[ref.shape] : undefined;
  return name && typeof value === 'string' && value !== '' && !value.startsWith('arn:') ? model.resolve(name) : shape;
}

const patterns = new Map<string, RegExp>();

function patternFails(model: ServiceModel, pattern: string, s: string): boolean {
  if (!RULES[model.id]?.patterns.includes(pattern)) return false;
  let re = patterns.get(pattern);
  if (!re) patterns.set(pattern, re = new RegExp(`^(?:${pattern})$`));
  return !re.test(s);
}

/**
 * How a violation shows the offending value. AWS's JSON services quote every value, numbers and
 * lists included, and write structures and maps as JSON (`Value '[]' at 'attributesToGet'`,
 * `Value '0' at 'limit'`); the other protocols' messages keep the older form.
 */
function shower(model: ServiceModel): (value: unknown) => string {
  return model.protocol === 'json' ? showQuoted : show;
}

function showQuoted(value: unknown): string {
  return value === undefined || value === null ? 'null' : `'${plain(value)}'`;
}

function plain(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return `[${value.map(plain).join(', ')}]`;
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)
    ? Buffer.from((v as { data: number[] }).data).toString('base64') : v));
}

/**
 * The order AWS's own validator lists an enum's values in, where it is not the published model's
 * (which sorts them otherwise), by service and by the values' set. DynamoDB's are as its
 * ValidationExceptions write them (recorded by dynalite's validations).
 */
const ENUM_ORDER: Record<string, string[][]> = {
  dynamodb: [
    ['ALL_NEW', 'UPDATED_OLD', 'ALL_OLD', 'NONE', 'UPDATED_NEW'],
    ['IN', 'NULL', 'BETWEEN', 'LT', 'NOT_CONTAINS', 'EQ', 'GT', 'NOT_NULL', 'NE', 'LE', 'BEGINS_WITH', 'GE', 'CONTAINS'],
    ['OR', 'AND'],
    ['SPECIFIC_ATTRIBUTES', 'COUNT', 'ALL_ATTRIBUTES', 'ALL_PROJECTED_ATTRIBUTES'],
    ['ALL', 'INCLUDE', 'KEYS_ONLY'],
    ['B', 'N', 'S'],
  ],
};

function enumOrder(model: ServiceModel, values: string[]): string[] {
  const key = [...values].sort().join();
  return ENUM_ORDER[model.id]?.find((o) => o.length === values.length && [...o].sort().join() === key) ?? values;
}

/**
 * Whether a value of the shape can break any constraint, that is whether the shape or a shape
 * below it has one: values of shapes that cannot (DynamoDB's items, whose AttributeValues
 * constrain nothing) are not walked. Worked out once per resolved shape (each belongs to one model).
 */
const failing = new WeakMap<Shape, boolean>();

function mayFail(model: ServiceModel, shape: Shape): boolean {
  let answer = failing.get(shape);
  if (answer === undefined) {
    // Shapes are recursive (an AttributeValue holds maps of AttributeValues): search what is reachable.
    const seen = new Set<Shape>();
    const reachesConstraint = (s: Shape): boolean => {
      if (seen.has(s)) return false;
      seen.add(s);
      if (ownConstraint(s)) return true;
      return below(model, s).some(reachesConstraint);
    };
    answer = reachesConstraint(shape);
    failing.set(shape, answer);
  }
  return answer;
}

function ownConstraint(shape: Shape): boolean {
  switch (shape.type) {
    case 'structure':
      return !shape.document && (shape.required ?? []).some((name) => shape.members?.[name]?.location !== 'uri');
    case 'string':
      return shape.enum !== undefined || shape.min !== undefined || shape.max !== undefined;
    case 'list': case 'map': case 'blob': case 'integer': case 'long': case 'float': case 'double':
      return shape.min !== undefined || shape.max !== undefined;
    default:
      return false;
  }
}

/** The shapes checkValue descends into from a value of `shape`. */
function below(model: ServiceModel, shape: Shape): Shape[] {
  switch (shape.type) {
    case 'structure': return shape.document ? [] : model.members(shape).list.map((m) => m.shape);
    case 'list': return [model.resolve(shape.member!)];
    case 'map': return shape.key ? [model.resolve(shape.key), model.resolve(shape.value!)] : [model.resolve(shape.value!)];
    default: return [];
  }
}

function show(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (Buffer.isBuffer(value)) return `'${value.toString('base64')}'`;
  return String(value);
}

/** Whether a map key breaks its string shape's constraints. */
function stringFails(model: ServiceModel, shape: Shape, s: string): boolean {
  return lengthOutside(shape, s) || (shape.pattern !== undefined && patternFails(model, shape.pattern, s));
}

function lengthOutside(shape: Shape, value: unknown): boolean {
  if (shape.type !== 'list' && shape.type !== 'string') return false;
  const n = (value as unknown[] | string).length;
  return (shape.min !== undefined && n < shape.min) || (shape.max !== undefined && n > shape.max);
}

function lengthBounds(shape: Shape): string {
  return [shape.max !== undefined ? `Member must have length less than or equal to ${shape.max}` : undefined,
    shape.min !== undefined ? `Member must have length greater than or equal to ${shape.min}` : undefined].filter(Boolean).join(', ');
}

/** `path` is the members' path as AWS writes it in older messages (lowerCamel), `api` as the API spells it. */
function checkStructure(model: ServiceModel, shape: Shape, value: Record<string, unknown>, path: string, api: string, out: Violation[]): void {
  const rules = RULES[model.id];
  if (rules) {
    checkInTurn(model, rules, shape, value, path, api, out);
    return;
  }
  const { list, byName } = model.members(shape);
  for (const name of shape.required ?? []) {
    const m = byName.get(name)!;
    // Members bound to the URI or the status line are checked by routing, not here.
    if (m.ref.location === 'uri') continue;
    if (value[name] === undefined || value[name] === null) missing(path + m.path, name, out);
  }
  for (const m of list) {
    const v = value[m.name];
    if (v === undefined || v === null) continue;
    if (!mayFail(model, m.shape)) {
      nullElement(m.shape, v, path + m.path, out);
      continue;
    }
    checkValue(model, m.shape, v, { path: path + m.path, api: api + m.name, member: m.name }, out);
  }
}

/**
 * A structure's members judged one at a time, each wholly before the next, as a service's rules
 * order them. Runs on every request: a member's path is only written out where it is reported or
 * checked below, and nothing is allocated for a member that is absent or cannot fail.
 */
function checkInTurn(model: ServiceModel, rules: Rules, shape: Shape, value: Record<string, unknown>, path: string, api: string, out: Violation[]): void {
  const { members, required, nameLengthLater, bare, javaShown, first, aloneAs, newer } = plan(model, rules, shape);
  const firstOnly = newer !== undefined && value[newer.when] !== undefined && value[newer.when] !== null;
  const before = out.length;
  const list = firstOnly ? newer.members : members;
  for (let i = 0; i < list.length; i++) {
    const m = list[i]!;
    if ((firstOnly || i === first) && out.length > before) break;
    if (m.ref.location === 'uri') continue;
    const v = value[m.name];
    if (v === undefined || v === null) {
      if (required.has(m.name)) missing(path + m.path, m.name, out);
      continue;
    }
    const at = path + m.path;
    if (nameLengthLater && m.name === 'TableName' && typeof v === 'string' && v !== '' && !v.startsWith('arn:') && (v.length < 3 || v.length > 255)) {
      const name = judgedAs(model, rules, m.ref, m.shape, v);
      if (name.pattern && patternFails(model, name.pattern, v)) {
        out.push({ path: at, member: m.name, kind: 'pattern', message: `Value ${shower(model)(v)} at '${at}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${name.pattern}` });
      }
      continue;
    }
    const judged = judgedAs(model, rules, m.ref, m.shape, v);
    const alone = aloneAs[m.name];
    if (alone !== undefined) {
      const found: Violation[] = [];
      checkValue(model, judged, v, { path: at, api: api + m.name, member: m.name }, found);
      if (found.length) {
        out.push({ ...found[0]!, message: alone, alone: true });
        return;
      }
      continue;
    }
    if (mayFail(model, judged)) {
      checkValue(model, judged, v, { path: at, api: api + m.name, member: m.name, bare: bare.has(m.name), java: javaShown.has(m.name) ? m.ref : undefined }, out);
    } else {
      nullElement(judged, v, at, out);
    }
  }
  if (firstOnly) out.length = Math.min(out.length, before + 1);
}

/**
 * A member missing at `at`: a required one absent, or JSON's null in a list (the models' lists are
 * dense) or a map entry without a value (the query protocol's `entry.1.key` without its `entry.1.value`).
 */
function missing(at: string, member: string, out: Violation[]): void {
  out.push({ path: at, member, kind: 'required', message: `Value null at '${at}' failed to satisfy constraint: Member must not be null` });
}

/** A null element of a list, or a map entry without a value, where the member has nothing else to check (SQS's MessageAttributeNames). */
function nullElement(shape: Shape, value: unknown, path: string, out: Violation[]): void {
  if (shape.type === 'list' && Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (value[i] === undefined || value[i] === null) missing(`${path}.${i + 1}.member`, shape.member?.locationName ?? 'member', out);
  } else if (shape.type === 'map' && typeof value === 'object' && value !== null) {
    for (const k in value) if ((value as Record<string, unknown>)[k] === undefined) missing(`${path}.${k}.member`, k, out);
  }
}

/** Where a value sits, and how its violations are written. */
interface Place {
  path: string;
  api: string;
  member: string;
  /** Its own length is reported without the value, at `api` (Rules.bare). */
  bare?: boolean;
  /** It is shown as Java prints a value of this reference's shape (Rules.javaShown). */
  java?: Shape;
}

/** A value as Java's toString prints it: structures as `Name(member=value, ...)` (members present only), maps as `{k=v}`. */
function javaString(model: ServiceModel, ref: Shape, value: unknown): string {
  const shape = model.resolve(ref);
  if (value === null || value === undefined) return 'null';
  if (Buffer.isBuffer(value)) return value.toString('base64');
  switch (shape.type) {
    case 'structure': {
      const v = value as Record<string, unknown>;
      const fields = model.members(shape).list.filter((m) => v[m.name] !== undefined).map((m) => `${m.path}=${javaString(model, m.ref, v[m.name])}`);
      return `${ref.shape ?? 'Object'}(${fields.join(', ')})`;
    }
    case 'list': return `[${(value as unknown[]).map((e) => javaString(model, shape.member!, e)).join(', ')}]`;
    case 'map': return `{${Object.entries(value as Record<string, unknown>).map(([k, e]) => `${k}=${javaString(model, shape.value!, e)}`).join(', ')}}`;
    default: return String(value);
  }
}

/** A violation of the value at `place`, the value shown in the message. */
function failed(model: ServiceModel, place: Place, value: unknown, kind: Violation['kind'], constraint: string, out: Violation[]): void {
  const shown = place.java ? `'${javaString(model, place.java, value)}'` : shower(model)(value);
  out.push({ path: place.path, member: place.member, kind, message: `Value ${shown} at '${place.path}' failed to satisfy constraint: ${constraint}` });
}

/** A violation written without the value, at the path as the API spells it, where Rules.bare says so. */
function failedBare(model: ServiceModel, place: Place, value: unknown, kind: Violation['kind'], constraint: string, out: Violation[]): void {
  if (place.bare) out.push({ path: place.path, member: place.member, kind, message: `Value at '${place.api}' failed to satisfy constraint: ${constraint}` });
  else failed(model, place, value, kind, constraint, out);
}

function checkValue(model: ServiceModel, shape: Shape, value: unknown, place: Place, out: Violation[]): void {
  if (out.length >= MAX_REPORTED) return;
  const { path, api } = place;
  switch (shape.type) {
    case 'structure':
      if (typeof value === 'object' && !shape.document) checkStructure(model, shape, value as Record<string, unknown>, path + '.', api + '.', out);
      return;
    case 'list': {
      const items = value as unknown[];
      if (shape.min !== undefined && items.length < shape.min) failedBare(model, place, value, 'length', `Member must have length greater than or equal to ${shape.min}`, out);
      if (shape.max !== undefined && items.length > shape.max) failedBare(model, place, value, 'length', `Member must have length less than or equal to ${shape.max}`, out);
      const element = model.resolve(shape.member!);
      const walked = mayFail(model, element);
      items.forEach((item, i) => {
        if (item === undefined || item === null) missing(`${path}.${i + 1}.member`, element.locationName ?? 'member', out);
        else if (walked) {
          checkValue(model, element, item, { path: `${path}.${i + 1}.member`, api: `${api}.${i + 1}.member`, member: element.locationName ?? 'member' }, out);
        }
      });
      return;
    }
    case 'map': {
      const map = value as Record<string, unknown>;
      let size = 0;
      for (const _ in map) size++;
      if (shape.min !== undefined && size < shape.min) failedBare(model, place, value, 'length', `Member must have length greater than or equal to ${shape.min}`, out);
      if (shape.max !== undefined && size > shape.max) failedBare(model, place, value, 'length', `Member must have length less than or equal to ${shape.max}`, out);
      const rules = RULES[model.id];
      if (rules && shape.key) {
        const keyShape = model.resolve(shape.key);
        for (const k in map) {
          const judged = judgedAs(model, rules, shape.key, keyShape, k);
          if (stringFails(model, judged, k)) failed(model, place, value, 'length', `Map keys must satisfy constraint: [${[lengthBounds(judged), judged.pattern && `Member must satisfy regular expression pattern: ${judged.pattern}`].filter(Boolean).join(', ')}]`, out);
        }
      }
      const valueShape = model.resolve(shape.value!);
      const walked = mayFail(model, valueShape);
      for (const k in map) {
        const v = map[k];
        if (v === undefined || v === null) {
          missing(`${path}.${k}.member`, k, out);
          continue;
        }
        if (!walked) continue;
        if (model.protocol === 'json' && lengthOutside(valueShape, v)) {
          // AWS's JSON services judge a map value's own length at the map, naming both bounds.
          failed(model, place, value, 'length', `Map value must satisfy constraint: [${lengthBounds(valueShape)}]`, out);
          continue;
        }
        checkValue(model, valueShape, v, { path: `${path}.${k}.member`, api: `${api}.${k}.member`, member: k }, out);
      }
      return;
    }
    case 'string': {
      const s = value as string;
      if (shape.enum && !shape.enum.includes(s)) {
        failed(model, place, value, 'enum', `Member must satisfy enum value set: [${enumOrder(model, shape.enum).join(', ')}]`, out);
        return;
      }
      if (shape.pattern && patternFails(model, shape.pattern, s)) failed(model, place, value, 'pattern', `Member must satisfy regular expression pattern: ${shape.pattern}`, out);
      if (shape.min !== undefined && s.length < shape.min) failed(model, place, value, 'length', `Member must have length greater than or equal to ${shape.min}`, out);
      else if (shape.max !== undefined && s.length > shape.max) failed(model, place, value, 'length', `Member must have length less than or equal to ${shape.max}`, out);
      return;
    }
    case 'blob': {
      const len = Buffer.isBuffer(value) ? value.length : undefined;
      if (len === undefined) return;
      if (shape.min !== undefined && len < shape.min) failed(model, place, value, 'length', `Member must have length greater than or equal to ${shape.min}`, out);
      else if (shape.max !== undefined && len > shape.max) failed(model, place, value, 'length', `Member must have length less than or equal to ${shape.max}`, out);
      return;
    }
    case 'integer': case 'long': case 'float': case 'double': {
      const n = value as number;
      if (shape.min !== undefined && n < shape.min) failedBare(model, place, value, 'range', `Member must have value greater than or equal to ${shape.min}`, out);
      else if (shape.max !== undefined && n > shape.max) failedBare(model, place, value, 'range', `Member must have value less than or equal to ${shape.max}`, out);
      return;
    }
    default:
      return;
  }
}
