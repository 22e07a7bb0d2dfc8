import type { AttributeValueUpdate, Condition as LegacyCondition, ExpectedAttributeValue } from '../../generated/types/dynamodb.js';
import { AwsError, isAwsError } from '../../protocols/errors.js';
import { parseCondition, parseProjection, parseUpdate, Placeholders, type Condition, type Operand, type Path, type UpdateAction } from './expressions/parser.js';
import { checkValue, compareValues, typeOf, type Layer, type Value } from './values.js';

/**
 * The expression parameters of one request, parsed once, with the checks that span them:
 * placeholders only alongside expressions, every placeholder used, and no mixing with the legacy
 * parameters (Expected, AttributeUpdates, AttributesToGet, KeyConditions, QueryFilter, ScanFilter),
 * which are translated to the same trees.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html
 */
export interface ExpressionInput {
  ConditionExpression?: string;
  UpdateExpression?: string;
  ProjectionExpression?: string;
  FilterExpression?: string;
  KeyConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, Value>;
  Expected?: Record<string, ExpectedAttributeValue>;
  AttributeUpdates?: Record<string, AttributeValueUpdate>;
  AttributesToGet?: string[];
  KeyConditions?: Record<string, LegacyCondition>;
  QueryFilter?: Record<string, LegacyCondition>;
  ScanFilter?: Record<string, LegacyCondition>;
  ConditionalOperator?: string;
}

export interface Expressions {
  condition?: Condition;
  update?: UpdateAction[];
  projection?: Path[];
  filter?: Condition;
  keyCondition?: Condition;
}

const invalid = (m: string) => new AwsError('ValidationException', m);

/** Which expression and legacy parameters an operation has, in the order DynamoDB names them in messages. */
export interface ExpressionParams {
  expressions: (keyof ExpressionInput)[];
  legacy: (keyof ExpressionInput)[];
  /**
   * Whether the operation reports these checks inside the "1 validation error detected: "
   * envelope, as PutItem, UpdateItem and DeleteItem now do (the Parity Suite's recordings of
   * us-east-1 and eu-west-2, 2026-10-09); its ExpressionAttributeValues message then names no
   * null expressions.
   */
  enveloped?: boolean;
  /**
   * Whether the operation checks attribute values in DynamoDB's older layer (values.ts Layer),
   * which also reports a bad expression value as "ExpressionAttributeValues contains invalid
   * value: <problem> for key <name>"; the current layer (PutItem, UpdateItem, DeleteItem, Query)
   * reports the problem alone. The Parity Suite's recordings in four regions, 2026-10-09: Scan
   * and the transactions run the older.
   */
  olderValueLayer?: boolean;
}

export const PARAMS = {
  get: { expressions: ['ProjectionExpression'], legacy: ['AttributesToGet'] },
  put: { expressions: ['ConditionExpression'], legacy: ['Expected'], enveloped: true },
  update: { expressions: ['UpdateExpression', 'ConditionExpression'], legacy: ['AttributeUpdates', 'Expected'], enveloped: true },
  query: { expressions: ['ProjectionExpression', 'FilterExpression', 'KeyConditionExpression'], legacy: ['AttributesToGet', 'QueryFilter', 'ConditionalOperator', 'KeyConditions'] },
  scan: { expressions: ['ProjectionExpression', 'FilterExpression'], legacy: ['AttributesToGet', 'ScanFilter', 'ConditionalOperator'], olderValueLayer: true },
} satisfies Record<string, ExpressionParams>;

/** Parses a request's expressions (or translates its legacy parameters) with DynamoDB's checks, in DynamoDB's order. */
export function parseExpressions(input: ExpressionInput, params: ExpressionParams): Expressions {
  return params.enveloped ? enveloped(() => parse(input, params)) : parse(input, params);
}

/** Runs a check whose ValidationException the operation reports inside the "1 validation error detected: " envelope (ExpressionParams.enveloped). */
export function enveloped<T>(check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (isAwsError(e) && e.code === 'ValidationException' && !/^\d+ validation errors? detected: /.test(e.message)) {
      throw invalid(`1 validation error detected: ${e.message}`);
    }
    throw e;
  }
}

function parse(input: ExpressionInput, params: ExpressionParams): Expressions {
  // Most requests carry none of these parameters, and then nothing below can fail.
  if (input.ExpressionAttributeNames === undefined && input.ExpressionAttributeValues === undefined && input.ConditionalOperator === undefined &&
      params.expressions.every((e) => input[e] === undefined) && params.legacy.every((l) => input[l] === undefined)) return {};
  const used = params.expressions.filter((e) => input[e] !== undefined);
  if (used.length) {
    // KeyConditions may accompany expressions as long as KeyConditionExpression is absent.
    const legacy = params.legacy.filter((l) => input[l] !== undefined && !(l === 'KeyConditions' && input.KeyConditionExpression === undefined));
    if (legacy.length) {
      throw invalid(`Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {${legacy.join(', ')}} Expression parameters: {${used.join(', ')}}`);
    }
  }
  if (input.ExpressionAttributeNames && !used.length) throw invalid('ExpressionAttributeNames can only be specified when using expressions');
  const valueExpressions = params.expressions.filter((e) => e !== 'ProjectionExpression');
  if (input.ExpressionAttributeValues && valueExpressions.length && valueExpressions.every((e) => input[e] === undefined)) {
    const nulls = `${valueExpressions.join(' and ')} ${valueExpressions.length > 1 ? 'are' : 'is'} null`;
    throw invalid(`ExpressionAttributeValues can only be specified when using expressions${params.enveloped ? '' : `: ${nulls}`}`);
  }
  if (input.ExpressionAttributeNames) {
    if (Object.keys(input.ExpressionAttributeNames).length === 0) throw invalid('ExpressionAttributeNames must not be empty');
    const bad = Object.keys(input.ExpressionAttributeNames).find((k) => !/^#[0-9a-zA-Z_]+$/.test(k));
    if (bad !== undefined) throw invalid(`ExpressionAttributeNames contains invalid key: Syntax error; key: "${bad}"`);
    const empty = Object.keys(input.ExpressionAttributeNames).find((k) => input.ExpressionAttributeNames![k] === '');
    if (empty !== undefined) throw invalid(`ExpressionAttributeNames contains invalid value: Empty attribute name for key ${empty}`);
  }
  // An empty Expected map counts as none (ScyllaDB's Alternator tests, run against DynamoDB).
  const expected = input.Expected && Object.keys(input.Expected).length > 0;
  if (input.ConditionalOperator !== undefined && !expected && !input.QueryFilter && !input.ScanFilter && !used.length) {
    throw invalid('ConditionalOperator cannot be used without Filter or Expected');
  }
  const layer: Layer = params.olderValueLayer ? 'older' : 'current';
  const values: Record<string, Value> = {};
  if (input.ExpressionAttributeValues) {
    if (Object.keys(input.ExpressionAttributeValues).length === 0) throw invalid('ExpressionAttributeValues must not be empty');
    const bad = Object.keys(input.ExpressionAttributeValues).find((k) => !/^:[0-9a-zA-Z_]+$/.test(k));
    if (bad !== undefined) throw invalid(`ExpressionAttributeValues contains invalid key: Syntax error; key: "${bad}"`);
    for (const [k, v] of Object.entries(input.ExpressionAttributeValues)) {
      try {
        values[k] = checkValue(v, layer);
      } catch (e) {
        if (!params.olderValueLayer) throw e;
        throw invalid(`ExpressionAttributeValues contains invalid value: ${(e as Error).message} for key ${k}`);
      }
    }
  }
  const ph = new Placeholders(input.ExpressionAttributeNames, input.ExpressionAttributeValues ? values : undefined);
  const out: Expressions = {};
  if (input.UpdateExpression !== undefined) out.update = parseUpdate(input.UpdateExpression, ph);
  if (input.ConditionExpression !== undefined) out.condition = parseCondition(input.ConditionExpression, 'ConditionExpression', ph);
  if (input.KeyConditionExpression !== undefined) out.keyCondition = parseCondition(input.KeyConditionExpression, 'KeyConditionExpression', ph);
  if (input.FilterExpression !== undefined) out.filter = parseCondition(input.FilterExpression, 'FilterExpression', ph);
  if (input.ProjectionExpression !== undefined) out.projection = parseProjection(input.ProjectionExpression, ph);
  ph.checkAllUsed();

  if (input.Expected) out.condition = legacyConditions(input.Expected, input.ConditionalOperator, true, layer);
  if (input.QueryFilter) out.filter = legacyConditions(input.QueryFilter, input.ConditionalOperator, false, layer);
  if (input.ScanFilter) out.filter = legacyConditions(input.ScanFilter, input.ConditionalOperator, false, layer);
  if (input.KeyConditions) {
    const conditions = Object.values(input.KeyConditions);
    // A multi-attribute index key has up to eight attributes, each of which may be named; an
    // ordinary key's two are checked once the key is known (query.ts).
    if (conditions.length < 1 || conditions.length > 8) throw invalid('Conditions can be of length 1 or 2 only');
    out.keyCondition = legacyConditions(input.KeyConditions, 'AND', false, layer);
    if (conditions.some((c) => !INDEXABLE.has(c.ComparisonOperator))) throw invalid('Attempted conditional constraint is not an indexable operation');
  }
  if (input.AttributesToGet) {
    const dup = input.AttributesToGet.find((a, i) => input.AttributesToGet!.indexOf(a) !== i);
    if (dup !== undefined) throw invalid(`One or more parameter values were invalid: Duplicate value in attribute name: ${dup}`);
    out.projection = input.AttributesToGet.map((a) => [a]);
  }
  if (input.AttributeUpdates) out.update = legacyUpdates(input.AttributeUpdates, layer);
  return out;
}

/** The legacy operators a key condition may use. */
const INDEXABLE: ReadonlySet<string | undefined> = new Set(['EQ', 'LE', 'LT', 'GE', 'GT', 'BEGINS_WITH', 'BETWEEN']);

const ARGS: Record<string, number | 'some'> = {
  EQ: 1, NE: 1, LE: 1, LT: 1, GE: 1, GT: 1, CONTAINS: 1, NOT_CONTAINS: 1, BEGINS_WITH: 1, NOT_NULL: 0, NULL: 0, IN: 'some', BETWEEN: 2,
};

function legacyConditions(conds: Record<string, ExpectedAttributeValue>, op: string | undefined, expected: boolean, layer: Layer): Condition | undefined {
  const parts = Object.entries(conds).map(([attr, c]) => legacyCondition(attr, c, expected, layer));
  if (parts.length === 0) return undefined;
  return parts.reduce((a, b) => ({ kind: op === 'OR' ? 'or' : 'and', args: [a, b] }));
}

/**
 * Operand types each legacy operator accepts in a filter or key condition; EQ and NE take any
 * type, lists and maps included (API_Condition: "supported for all data types", and ScyllaDB's
 * Alternator tests, run against DynamoDB, filter on lists, maps and booleans). Expected judges them
 * only for the operators in EXPECTED_TYPED: its comparisons (EQ, LT, ...) with a value of another
 * type simply fail, while BEGINS_WITH of a number or CONTAINS of a list is a ValidationException
 * (ScyllaDB's Alternator tests, run against DynamoDB, check both).
 */
const OPERAND_TYPES: Record<string, string[]> = {
  LE: ['S', 'N', 'B'], LT: ['S', 'N', 'B'], GE: ['S', 'N', 'B'], GT: ['S', 'N', 'B'], CONTAINS: ['S', 'N', 'B'], NOT_CONTAINS: ['S', 'N', 'B'],
  BEGINS_WITH: ['S', 'B'], IN: ['S', 'N', 'B'], BETWEEN: ['S', 'N', 'B'],
};
const EXPECTED_TYPED = new Set(['CONTAINS', 'NOT_CONTAINS', 'BEGINS_WITH', 'IN', 'BETWEEN']);

function legacyCondition(attr: string, c: ExpectedAttributeValue, expected: boolean, layer: Layer): Condition {
  const path: Operand = { kind: 'path', path: [attr] };
  const val = (v: Value): Operand => ({ kind: 'value', value: checkValue(v, layer) });
  if (expected && c.AttributeValueList && c.Value !== undefined) throw invalid(`One or more parameter values were invalid: Value and AttributeValueList cannot be used together for Attribute: ${attr}`);
  if (c.ComparisonOperator === undefined) {
    if (!expected) throw invalid(`1 validation error detected: Value null at 'comparisonOperator' failed to satisfy constraint: Member must not be null`);
    if (c.AttributeValueList) throw invalid(`One or more parameter values were invalid: AttributeValueList can only be used with a ComparisonOperator for Attribute: ${attr}`);
    const exists = c.Exists ?? true;
    if (exists && c.Value === undefined) throw invalid(`One or more parameter values were invalid: Value must be provided when Exists is ${c.Exists === undefined ? 'null' : 'true'} for Attribute: ${attr}`);
    if (!exists && c.Value !== undefined) throw invalid(`One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: ${attr}`);
    return exists ? { kind: 'compare', op: '=', args: [path, val(c.Value!)] } : { kind: 'call', name: 'attribute_not_exists', args: [path] };
  }
  if (c.Exists !== undefined) throw invalid(`One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for Attribute: ${attr}`);
  if (expected && !c.AttributeValueList && c.Value === undefined && c.ComparisonOperator !== 'NULL' && c.ComparisonOperator !== 'NOT_NULL') {
    throw invalid(`One or more parameter values were invalid: Value or AttributeValueList must be used with ComparisonOperator: ${c.ComparisonOperator} for Attribute: ${attr}`);
  }
  const list = (c.AttributeValueList ?? (c.Value !== undefined ? [c.Value] : [])).map(val);
  const want = ARGS[c.ComparisonOperator]!;
  if (want === 'some' ? list.length === 0 : list.length !== want) {
    throw invalid(`One or more parameter values were invalid: Invalid number of argument(s) for the ${c.ComparisonOperator} ComparisonOperator`);
  }
  const types = list.map((o) => typeOf((o as { value: Value }).value));
  if (types.some((t) => t !== types[0])) throw invalid('One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type');
  const allowed = OPERAND_TYPES[c.ComparisonOperator];
  const wrong = !allowed || (expected && !EXPECTED_TYPED.has(c.ComparisonOperator)) ? undefined : types.find((t) => !allowed.includes(t));
  if (wrong) throw invalid(`One or more parameter values were invalid: ComparisonOperator ${c.ComparisonOperator} is not valid for ${wrong} AttributeValue type`);
  if (c.ComparisonOperator === 'BETWEEN' && (compareValues((list[0] as { value: Value }).value, (list[1] as { value: Value }).value) ?? 0) > 0) {
    throw invalid('The BETWEEN condition was provided a range where the lower bound is greater than the upper bound');
  }
  switch (c.ComparisonOperator) {
    case 'EQ': return { kind: 'compare', op: '=', args: [path, list[0]!] };
    case 'NE': return { kind: 'compare', op: '<>', args: [path, list[0]!] };
    case 'LE': case 'LT': case 'GE': case 'GT':
      return { kind: 'compare', op: ({ LE: '<=', LT: '<', GE: '>=', GT: '>' } as const)[c.ComparisonOperator], args: [path, list[0]!] };
    case 'NOT_NULL': return { kind: 'call', name: 'attribute_exists', args: [path] };
    case 'NULL': return { kind: 'call', name: 'attribute_not_exists', args: [path] };
    case 'CONTAINS': return { kind: 'call', name: 'contains', args: [path, list[0]!] };
    case 'NOT_CONTAINS':
      return { kind: 'and', args: [{ kind: 'call', name: 'attribute_exists', args: [path] }, { kind: 'not', args: [{ kind: 'call', name: 'contains', args: [path, list[0]!] }] }] };
    case 'BEGINS_WITH': return { kind: 'call', name: 'begins_with', args: [path, list[0]!] };
    case 'IN': return { kind: 'in', args: [path, ...list] };
    default: return { kind: 'between', args: [path, list[0]!, list[1]!] };
  }
}

function legacyUpdates(updates: Record<string, AttributeValueUpdate>, layer: Layer): UpdateAction[] {
  return Object.entries(updates).map(([attr, u]): UpdateAction => {
    const action = u.Action ?? 'PUT';
    const value = u.Value === undefined ? undefined : checkValue(u.Value, layer);
    if (action === 'PUT') {
      if (!value) throw invalid(`One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified`);
      return { kind: 'SET', path: [attr], value: { kind: 'value', value } };
    }
    if (action === 'DELETE') {
      if (!value) return { kind: 'REMOVE', path: [attr] };
      if (!value.SS && !value.NS && !value.BS) throw invalid(`One or more parameter values were invalid: DELETE action with value is not supported for the type ${typeOf(value)}`);
      return { kind: 'DELETE', path: [attr], value, legacy: true };
    }
    if (!value) throw invalid(`One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified`);
    if (!value.N && !value.SS && !value.NS && !value.BS && !value.L) throw invalid(`One or more parameter values were invalid: ADD action is not supported for the type ${typeOf(value)}`);
    return { kind: 'ADD', path: [attr], value, legacy: true };
  });
}
