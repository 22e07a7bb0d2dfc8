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
    if (mayFail(model, resolved)) checkStructure(model, resolved, input, '', out);
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
   * words of its own; a name of the wrong length is the handler's to report, in words of its own
   * too (after authorization, where Nimbus's pipeline puts a handler), so it is not judged here.
   */
  tableNameParameter: string[];
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
      UpdateItemInput: ['ReturnConsumedCapacity', 'TableName', 'ReturnItemCollectionMetrics', 'ReturnValues', 'Key', 'ConditionalOperator', 'Expected', 'AttributeUpdates', 'ConditionExpression', 'UpdateExpression', 'ExpressionAttributeValues', 'ExpressionAttributeNames'],
      QueryInput: ['Select', 'IndexName', 'ReturnConsumedCapacity', 'QueryFilter', 'TableName', 'ConditionalOperator', 'AttributesToGet', 'Limit', 'KeyConditions', 'ExclusiveStartKey', 'ConsistentRead', 'ScanIndexForward', 'KeyConditionExpression', 'FilterExpression', 'ProjectionExpression', 'ExpressionAttributeValues', 'ExpressionAttributeNames'],
      ScanInput: ['Select', 'IndexName', 'TotalSegments', 'ReturnConsumedCapacity', 'TableName', 'ConditionalOperator', 'ScanFilter', 'Segment', 'Limit', 'AttributesToGet', 'ExclusiveStartKey', 'FilterExpression', 'ProjectionExpression', 'ExpressionAttributeValues', 'ExpressionAttributeNames'],
      BatchGetItemInput: ['ReturnConsumedCapacity', 'RequestItems'],
      BatchWriteItemInput: ['ReturnConsumedCapacity', 'ReturnItemCollectionMetrics', 'RequestItems'],
      CreateTableInput: ['AttributeDefinitions', 'TableName', 'BillingMode', 'ProvisionedThroughput', 'KeySchema', 'LocalSecondaryIndexes', 'GlobalSecondaryIndexes'],
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
  },
};

/** How a structure's members are judged under a service's rules: in which order, and which must be present. */
interface Plan {
  members: Member[];
  required: Set<string>;
  /** Whether a TableName outside 3-255 characters is left to the handler (see Rules.tableNameParameter). */
  nameLengthLater: boolean;
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
      for (const name of [...Object.keys(rules.order), ...Object.keys(rules.required), ...Object.keys(rules.notRequired), ...Object.keys(rules.unchecked), ...rules.tableNameParameter]) {
        const members = model.raw.shapes[name]?.members;
        if (members) byMembers.set(members, name);
      }
      ruledShapes.set(model, byMembers);
    }
    const name = shape.members ? byMembers.get(shape.members) : undefined;
    const { list, byName } = model.members(shape);
    const listed = (name ? rules.order[name] ?? [] : []).map((n) => byName.get(n)).filter((m): m is Member => m !== undefined);
    const required = new Set([...(shape.required ?? []), ...(name ? rules.required[name] ?? [] : [])]);
    for (const n of name ? rules.notRequired[name] ?? [] : []) required.delete(n);
    const unchecked = name ? rules.unchecked[name] ?? [] : [];
    for (const n of unchecked) required.delete(n);
    const members = [...listed, ...list.filter((m) => !listed.includes(m))].filter((m) => !unchecked.includes(m.name));
    out = { members, required, nameLengthLater: name !== undefined && rules.tableNameParameter.includes(name) };
    plans.set(shape, out);
  }
  return out;
}

/** The shape a value is judged as: a TableArn member holding a name is judged as a TableName. */
function judgedAs(model: ServiceModel, rules: Rules, ref: Shape, shape: Shape, value: unknown): Shape {
  const name = ref.shape ? rules.names[ref.shape] : undefined;
  return name && typeof value === 'string' && !value.startsWith('arn:') ? model.resolve(name) : shape;
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

/** Member names as AWS writes them in paths, kept: every request with a checked member needs them. */
const lowerCamel = new Map<string, string>();

function lowerFirst(s: string): string {
  let out = lowerCamel.get(s);
  if (out === undefined) lowerCamel.set(s, out = s.charAt(0).toLowerCase() + s.slice(1));
  return out;
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

function checkStructure(model: ServiceModel, shape: Shape, value: Record<string, unknown>, path: string, out: Violation[]): void {
  const rules = RULES[model.id];
  if (rules) {
    checkInTurn(model, rules, shape, value, path, out);
    return;
  }
  for (const name of shape.required ?? []) {
    const ref = shape.members?.[name];
    // Members bound to the URI or the status line are checked by routing, not here.
    if (ref?.location === 'uri') continue;
    if (value[name] === undefined || value[name] === null) {
      const at = path + lowerFirst(name);
      out.push({ path: at, member: name, kind: 'required', message: `Value null at '${at}' failed to satisfy constraint: Member must not be null` });
    }
  }
  for (const m of model.members(shape).list) {
    const v = value[m.name];
    if (v === undefined || v === null || !mayFail(model, m.shape)) continue;
    checkValue(model, m.shape, v, path + lowerFirst(m.name), m.name, out);
  }
}

/** A structure's members judged one at a time, each wholly before the next, as a service's rules order them. */
function checkInTurn(model: ServiceModel, rules: Rules, shape: Shape, value: Record<string, unknown>, path: string, out: Violation[]): void {
  const { members, required, nameLengthLater } = plan(model, rules, shape);
  for (const m of members) {
    if (m.ref.location === 'uri') continue;
    const v = value[m.name];
    if (nameLengthLater && m.name === 'TableName' && typeof v === 'string' && !v.startsWith('arn:') && (v.length < 3 || v.length > 255)) continue;
    const at = path + lowerFirst(m.name);
    if (v === undefined || v === null) {
      if (required.has(m.name)) out.push({ path: at, member: m.name, kind: 'required', message: `Value null at '${at}' failed to satisfy constraint: Member must not be null` });
      continue;
    }
    const judged = judgedAs(model, rules, m.ref, m.shape, v);
    if (mayFail(model, judged)) checkValue(model, judged, v, at, m.name, out);
  }
}

function checkValue(model: ServiceModel, shape: Shape, value: unknown, path: string, member: string, out: Violation[]): void {
  if (out.length >= MAX_REPORTED) return;
  const fail = (kind: Violation['kind'], constraint: string) =>
    out.push({ path, member, kind, message: `Value ${shower(model)(value)} at '${path}' failed to satisfy constraint: ${constraint}` });
  switch (shape.type) {
    case 'structure':
      if (typeof value === 'object' && !shape.document) checkStructure(model, shape, value as Record<string, unknown>, path + '.', out);
      return;
    case 'list': {
      const items = value as unknown[];
      if (shape.min !== undefined && items.length < shape.min) fail('length', `Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && items.length > shape.max) fail('length', `Member must have length less than or equal to ${shape.max}`);
      const member = model.resolve(shape.member!);
      if (mayFail(model, member)) items.forEach((item, i) => checkValue(model, member, item, `${path}.${i + 1}.member`, member.locationName ?? 'member', out));
      return;
    }
    case 'map': {
      const entries = Object.entries(value as Record<string, unknown>);
      if (shape.min !== undefined && entries.length < shape.min) fail('length', `Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && entries.length > shape.max) fail('length', `Member must have length less than or equal to ${shape.max}`);
      const rules = RULES[model.id];
      if (rules && shape.key) {
        const keyShape = model.resolve(shape.key);
        for (const [k] of entries) {
          const judged = judgedAs(model, rules, shape.key, keyShape, k);
          if (stringFails(model, judged, k)) fail('length', `Map keys must satisfy constraint: [${[lengthBounds(judged), judged.pattern && `Member must satisfy regular expression pattern: ${judged.pattern}`].filter(Boolean).join(', ')}]`);
        }
      }
      const valueShape = model.resolve(shape.value!);
      if (!mayFail(model, valueShape)) return;
      for (const [k, v] of entries) {
        if (model.protocol === 'json' && lengthOutside(valueShape, v)) {
          // AWS's JSON services judge a map value's own length at the map, naming both bounds.
          fail('length', `Map value must satisfy constraint: [${lengthBounds(valueShape)}]`);
          continue;
        }
        checkValue(model, valueShape, v, `${path}.${k}.member`, k, out);
      }
      return;
    }
    case 'string': {
      const s = value as string;
      if (shape.enum && !shape.enum.includes(s)) {
        fail('enum', `Member must satisfy enum value set: [${enumOrder(model, shape.enum).join(', ')}]`);
        return;
      }
      if (shape.pattern && patternFails(model, shape.pattern, s)) fail('pattern', `Member must satisfy regular expression pattern: ${shape.pattern}`);
      if (shape.min !== undefined && s.length < shape.min) fail('length', `Member must have length greater than or equal to ${shape.min}`);
      else if (shape.max !== undefined && s.length > shape.max) fail('length', `Member must have length less than or equal to ${shape.max}`);
      return;
    }
    case 'blob': {
      const len = Buffer.isBuffer(value) ? value.length : undefined;
      if (len === undefined) return;
      if (shape.min !== undefined && len < shape.min) fail('length', `Member must have length greater than or equal to ${shape.min}`);
      else if (shape.max !== undefined && len > shape.max) fail('length', `Member must have length less than or equal to ${shape.max}`);
      return;
    }
    case 'integer': case 'long': case 'float': case 'double': {
      const n = value as number;
      if (shape.min !== undefined && n < shape.min) fail('range', `Member must have value greater than or equal to ${shape.min}`);
      else if (shape.max !== undefined && n > shape.max) fail('range', `Member must have value less than or equal to ${shape.max}`);
      return;
    }
    default:
      return;
  }
}
