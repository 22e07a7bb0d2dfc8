import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchGetItemCommand, BatchWriteItemCommand, CreateTableCommand, DeleteItemCommand, DeleteTableCommand, DescribeTableCommand,
  DescribeTimeToLiveCommand, DynamoDBClient, GetItemCommand, ListTablesCommand, ListTagsOfResourceCommand, PutItemCommand, QueryCommand,
  ScanCommand, TagResourceCommand, TransactGetItemsCommand, TransactWriteItemsCommand, UntagResourceCommand, UpdateItemCommand,
  UpdateTableCommand, UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { Nimbus } from '../src/index.js';
import { clientConfig, start } from './helpers.js';

/**
 * Malformed requests and the errors DynamoDB answers them with, word for word: the model-level
 * "N validation errors detected" messages, then the semantic checks, in DynamoDB's order (a
 * request is checked before its table is looked up). The expected messages were compared with
 * DynamoDB's recorded answers (dynalite's validations, which were taken from DynamoDB), except
 * where DynamoDB has changed since (empty strings outside keys are allowed since 2020).
 */

/** [request body, message] for a ValidationException, or [request body, message, error name]. */
type Case = [input: Record<string, unknown>, message: string, name?: string];

const COMMANDS = {
  BatchGetItem: BatchGetItemCommand, BatchWriteItem: BatchWriteItemCommand, CreateTable: CreateTableCommand, DeleteItem: DeleteItemCommand,
  DeleteTable: DeleteTableCommand, DescribeTable: DescribeTableCommand, DescribeTimeToLive: DescribeTimeToLiveCommand, GetItem: GetItemCommand,
  ListTables: ListTablesCommand, ListTagsOfResource: ListTagsOfResourceCommand, PutItem: PutItemCommand, Query: QueryCommand, Scan: ScanCommand,
  TagResource: TagResourceCommand, TransactGetItems: TransactGetItemsCommand, TransactWriteItems: TransactWriteItemsCommand,
  UntagResource: UntagResourceCommand, UpdateItem: UpdateItemCommand, UpdateTable: UpdateTableCommand, UpdateTimeToLive: UpdateTimeToLiveCommand,
};
type Op = keyof typeof COMMANDS;

const HASH = 'hashT';
const RANGE = 'rangeT';
const big = 'x'.repeat(400 * 1024);

const CASES: Partial<Record<Op, Case[]>> = {
  PutItem: [
    [{}, "2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null; Value null at 'item' failed to satisfy constraint: Member must not be null"],
    [{"TableName":"hashT"}, "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null"],
    [{"Item":{"a":{"S":"x"}}}, "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"],
    [{"TableName":"ab","Item":{"a":{"S":"x"}}}, "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"],
    [{"TableName":"a$b","Item":{"a":{"S":"x"}}}, "1 validation error detected: Value 'a$b' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"],
    [{"TableName":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","Item":{"a":{"S":"x"}}}, "1 validation error detected: Value 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255"],
    [{"TableName":"nope","Item":{"a":{"S":"x"}}}, "Requested resource not found", 'ResourceNotFoundException'],
    [{"TableName":"hashT","Item":{"a":{"S":"x"},"v":{}}}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"},"v":{"S":"a","N":"1"}}}, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"},"v":{"N":"abc"}}}, "The parameter cannot be converted to a numeric value: abc"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"},"v":{"N":""}}}, "The parameter cannot be converted to a numeric value"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"},"v":{"N":"1e126"}}}, "Number overflow. Attempting to store a number with magnitude larger than supported range"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"},"v":{"N":"1e-131"}}}, "Number underflow. Attempting to store a number with magnitude smaller than supported range"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"},"v":{"N":"123456789012345678901234567890123456789"}}}, "Attempting to store more than 38 significant digits in a Number"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"},"v":{"NULL":false}}}, "One or more parameter values were invalid: Null attribute value types must have the value of true"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"},"v":{"SS":[]}}}, "One or more parameter values were invalid: An string set  may not be empty"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"},"v":{"NS":[]}}}, "One or more parameter values were invalid: An number set  may not be empty"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"},"v":{"BS":[]}}}, "One or more parameter values were invalid: Binary sets should not be empty"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"},"v":{"SS":["a","a"]}}}, "One or more parameter values were invalid: Input collection [a, a] contains duplicates."],
    [{"TableName":"hashT","Item":{"a":{"S":"x"},"v":{"NS":["1","1"]}}}, "Input collection contains duplicates"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"},"v":{"NS":["1","1.0"]}}}, "Input collection contains duplicates"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"},"v":{"BS":["YQ==","YQ=="]}}}, "One or more parameter values were invalid: Input collection [YQ==, YQ==]of type BS contains duplicates."],
    [{"TableName":"hashT","Item":{"a":{"S":"x"},"v":{"NS":["x"]}}}, "The parameter cannot be converted to a numeric value: x"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"},"v":{"M":{"x":{}}}}}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"},"v":{"L":[{"N":"x"}]}}}, "The parameter cannot be converted to a numeric value: x"],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{}}}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{"S":"a","N":"1"}}}, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{"N":"abc"}}}, "The parameter cannot be converted to a numeric value: abc"],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{"N":""}}}, "The parameter cannot be converted to a numeric value"],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{"N":"1e126"}}}, "Number overflow. Attempting to store a number with magnitude larger than supported range"],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{"N":"1e-131"}}}, "Number underflow. Attempting to store a number with magnitude smaller than supported range"],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{"N":"123456789012345678901234567890123456789"}}}, "Attempting to store more than 38 significant digits in a Number"],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{"NULL":false}}}, "One or more parameter values were invalid: Null attribute value types must have the value of true"],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{"SS":[]}}}, "One or more parameter values were invalid: An string set  may not be empty"],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{"NS":[]}}}, "One or more parameter values were invalid: An number set  may not be empty"],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{"BS":[]}}}, "One or more parameter values were invalid: Binary sets should not be empty"],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{"SS":["a","a"]}}}, "One or more parameter values were invalid: Input collection [a, a] contains duplicates."],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{"NS":["1","1"]}}}, "Input collection contains duplicates"],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{"NS":["1","1.0"]}}}, "Input collection contains duplicates"],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{"BS":["YQ==","YQ=="]}}}, "One or more parameter values were invalid: Input collection [YQ==, YQ==]of type BS contains duplicates."],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{"NS":["x"]}}}, "The parameter cannot be converted to a numeric value: x"],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{"M":{"x":{}}}}}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{"L":[{"N":"x"}]}}}, "The parameter cannot be converted to a numeric value: x"],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{"S":""}}}, "Requested resource not found", 'ResourceNotFoundException'],
    [{"TableName":"nope","Item":{"a":{"S":"x"},"v":{"B":""}}}, "Requested resource not found", 'ResourceNotFoundException'],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ReturnValues":"bogus"}, "1 validation error detected: Value 'bogus' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"],
    [{"TableName":"hashT","Item":{}}, "One or more parameter values were invalid: Missing the key a in the item"],
    [{"TableName":"hashT","Item":{"b":{"S":"x"}}}, "One or more parameter values were invalid: Missing the key a in the item"],
    [{"TableName":"hashT","Item":{"a":{"N":"1"}}}, "One or more parameter values were invalid: Type mismatch for key a expected: S actual: N"],
    [{"TableName":"hashT","Item":{"a":{"S":""}}}, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: a"],
    [{"TableName":"rangeT","Item":{"a":{"S":"x"}}}, "One or more parameter values were invalid: Missing the key b in the item"],
    [{"TableName":"rangeT","Item":{"a":{"S":"x"},"b":{"S":"1"}}}, "One or more parameter values were invalid: Type mismatch for key b expected: N actual: S"],
    [{"TableName":"rangeT","Item":{"a":{"S":"x"},"b":{"N":"1"},"c":{"N":"1"}}}, "One or more parameter values were invalid: Type mismatch for Index Key c Expected: S Actual: N IndexName: lsi"],
    [{"TableName":"rangeT","Item":{"a":{"S":"x"},"b":{"N":"1"},"d":{"N":"1"}}}, "One or more parameter values were invalid: Type mismatch for Index Key d Expected: S Actual: N IndexName: gsi"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"a = :v","Expected":{"a":{"Exists":false}}}, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ExpressionAttributeNames":{"#a":"a"}}, "ExpressionAttributeNames can only be specified when using expressions"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ExpressionAttributeValues":{":a":{"S":"a"}}}, "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":""}, "Invalid ConditionExpression: The expression can not be empty;"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"a = :v"}, "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :v"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"a = #n"}, "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #n"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"a = :v","ExpressionAttributeValues":{":v":{"S":"x"},":w":{"S":"y"}}}, "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"a = :v","ExpressionAttributeValues":{":v":{"S":"x"}},"ExpressionAttributeNames":{"#x":"y"}}, "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"a = :v","ExpressionAttributeValues":{}}, "ExpressionAttributeValues must not be empty"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"a = :v","ExpressionAttributeNames":{}}, "ExpressionAttributeNames must not be empty"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"a = :v","ExpressionAttributeValues":{"v":{"S":"x"}}}, "ExpressionAttributeValues contains invalid key: Syntax error; key: \"v\""],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"a = :v","ExpressionAttributeNames":{"x":"y"}}, "ExpressionAttributeNames contains invalid key: Syntax error; key: \"x\""],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"a = :v","ExpressionAttributeValues":{":v":{}}}, "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes for key :v"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"a = :v","ExpressionAttributeValues":{":v":{"N":"x"}}}, "ExpressionAttributeValues contains invalid value: The parameter cannot be converted to a numeric value: x for key :v"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"size = :v","ExpressionAttributeValues":{":v":{"S":"x"}}}, "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: size"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"foo(a)"}, "Invalid ConditionExpression: Invalid function name; function: foo"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"attribute_exists(a, b)"}, "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"a = a"}, "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"attribute_type(a, :v)","ExpressionAttributeValues":{":v":{"S":"X"}}}, "Invalid ConditionExpression: Invalid attribute type name found; type: X, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"a BETWEEN :a AND :b","ExpressionAttributeValues":{":a":{"N":"2"},":b":{"N":"1"}}}, "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"a.b[1] = :v OR a.b = :v","ExpressionAttributeValues":{":v":{"S":"x"}}}, "The conditional request failed", 'ConditionalCheckFailedException'],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"a = :v AND a.b = :v","ExpressionAttributeValues":{":v":{"S":"x"}}}, "The conditional request failed", 'ConditionalCheckFailedException'],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"size(a) < :v","ExpressionAttributeValues":{":v":{"S":"x"}}}, "The conditional request failed", 'ConditionalCheckFailedException'],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"begins_with(a, :v)","ExpressionAttributeValues":{":v":{"N":"1"}}}, "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"contains(a)"}, "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: contains, number of operands: 1"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"attribute_not_exists(:v)","ExpressionAttributeValues":{":v":{"S":"x"}}}, "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_not_exists"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"ConditionExpression":"#a = :v","ExpressionAttributeValues":{":v":{"S":"x"}}}, "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #a"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"Expected":{"a":{"Exists":true}}}, "One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: a"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"Expected":{"a":{"Exists":false,"Value":{"S":"x"}}}}, "One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: a"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"Expected":{"a":{"Value":{"S":"x"},"AttributeValueList":[{"S":"x"}]}}}, "One or more parameter values were invalid: Value and AttributeValueList cannot be used together for Attribute: a"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"Expected":{"a":{"ComparisonOperator":"EQ","Exists":true}}}, "One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for Attribute: a"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"Expected":{"a":{"ComparisonOperator":"EQ"}}}, "One or more parameter values were invalid: Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"Expected":{"a":{"ComparisonOperator":"NULL","AttributeValueList":[{"S":"x"}]}}}, "One or more parameter values were invalid: Invalid number of argument(s) for the NULL ComparisonOperator"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"Expected":{"a":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"S":"x"}]}}}, "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"Expected":{"a":{"ComparisonOperator":"IN","AttributeValueList":[{"S":"x"},{"N":"1"}]}}}, "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"Expected":{"a":{"AttributeValueList":[{"S":"x"}]}}}, "One or more parameter values were invalid: AttributeValueList can only be used with a ComparisonOperator for Attribute: a"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"Expected":{"a":{"ComparisonOperator":"LT","AttributeValueList":[{"BOOL":true}]}}}, "The conditional request failed", 'ConditionalCheckFailedException'],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"Expected":{"a":{"ComparisonOperator":"XX"}}}, "1 validation error detected: Value 'XX' at 'expected.a.member.comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"Expected":{"a":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"2"},{"N":"1"}]}}}, "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"Expected":{"a":{"Value":{}}}}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"],
    [{"TableName":"hashT","Item":{"a":{"S":"x"}},"Expected":{"a":{"Exists":true,"Value":{"S":"x"}},"b":{"Exists":false}},"ConditionalOperator":"OR","ConditionExpression":"a = a"}, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"],
  ],
  GetItem: [
    [{}, "2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null; Value null at 'key' failed to satisfy constraint: Member must not be null"],
    [{"TableName":"hashT"}, "1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null"],
    [{"TableName":"nope","Key":{"a":{"S":"x"}}}, "Requested resource not found", 'ResourceNotFoundException'],
    [{"TableName":"hashT","Key":{}}, "The provided key element does not match the schema"],
    [{"TableName":"hashT","Key":{"b":{"S":"x"}}}, "The provided key element does not match the schema"],
    [{"TableName":"hashT","Key":{"a":{"N":"1"}}}, "The provided key element does not match the schema"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"},"b":{"S":"y"}}}, "The provided key element does not match the schema"],
    [{"TableName":"hashT","Key":{"a":{"S":""}}}, "One or more parameter values were invalid: The AttributeValue for a key attribute cannot contain an empty string value. Key: a"],
    [{"TableName":"hashT","Key":{"a":{}}}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"],
    [{"TableName":"hashT","Key":{"a":{"S":"a","N":"1"}}}, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"],
    [{"TableName":"hashT","Key":{"a":{"N":"abc"}}}, "The parameter cannot be converted to a numeric value: abc"],
    [{"TableName":"hashT","Key":{"a":{"N":""}}}, "The parameter cannot be converted to a numeric value"],
    [{"TableName":"hashT","Key":{"a":{"N":"1e126"}}}, "Number overflow. Attempting to store a number with magnitude larger than supported range"],
    [{"TableName":"hashT","Key":{"a":{"N":"1e-131"}}}, "Number underflow. Attempting to store a number with magnitude smaller than supported range"],
    [{"TableName":"hashT","Key":{"a":{"N":"123456789012345678901234567890123456789"}}}, "Attempting to store more than 38 significant digits in a Number"],
    [{"TableName":"hashT","Key":{"a":{"NULL":false}}}, "One or more parameter values were invalid: Null attribute value types must have the value of true"],
    [{"TableName":"hashT","Key":{"a":{"SS":[]}}}, "One or more parameter values were invalid: An string set  may not be empty"],
    [{"TableName":"hashT","Key":{"a":{"NS":[]}}}, "One or more parameter values were invalid: An number set  may not be empty"],
    [{"TableName":"hashT","Key":{"a":{"BS":[]}}}, "One or more parameter values were invalid: Binary sets should not be empty"],
    [{"TableName":"hashT","Key":{"a":{"SS":["a","a"]}}}, "One or more parameter values were invalid: Input collection [a, a] contains duplicates."],
    [{"TableName":"nope","Key":{"a":{}}}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"AttributesToGet":[]}, "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"AttributesToGet":["a","a"]}, "One or more parameter values were invalid: Duplicate value in attribute name: a"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"AttributesToGet":["a"],"ProjectionExpression":"a"}, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"ProjectionExpression":""}, "Invalid ProjectionExpression: The expression can not be empty;"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"ProjectionExpression":"a, a"}, "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"ProjectionExpression":"a, a.b"}, "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"ProjectionExpression":"size"}, "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: size"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"ProjectionExpression":"#n"}, "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #n"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"ReturnConsumedCapacity":"X"}, "1 validation error detected: Value 'X' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"],
    [{"TableName":"rangeT","Key":{"a":{"S":"x"}}}, "The provided key element does not match the schema"],
    [{"TableName":"rangeT","Key":{"a":{"S":"x"},"b":{"S":"1"}}}, "The provided key element does not match the schema"],
    [{"TableName":"rangeT","Key":{"a":{"S":"x"},"c":{"S":"1"}}}, "The provided key element does not match the schema"],
  ],
  DeleteItem: [
    [{}, "2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null; Value null at 'key' failed to satisfy constraint: Member must not be null"],
    [{"TableName":"hashT","Key":{}}, "The provided key element does not match the schema"],
    [{"TableName":"hashT","Key":{"a":{"N":"1"}}}, "The provided key element does not match the schema"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"ConditionExpression":"a = :v"}, "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :v"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"Expected":{"a":{"Exists":false}},"ConditionExpression":"a = a"}, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"],
    [{"TableName":"hashT","Key":{"a":{}}}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"],
    [{"TableName":"hashT","Key":{"a":{"S":""}}}, "One or more parameter values were invalid: The AttributeValue for a key attribute cannot contain an empty string value. Key: a"],
  ],
  UpdateItem: [
    [{}, "2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null; Value null at 'key' failed to satisfy constraint: Member must not be null"],
    [{"TableName":"hashT","Key":{}}, "The provided key element does not match the schema"],
    [{"TableName":"hashT","Key":{"a":{"N":"1"}}}, "The provided key element does not match the schema"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"UpdateExpression":""}, "Invalid UpdateExpression: The expression can not be empty;"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"UpdateExpression":"SET a = :v"}, "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :v"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{":v":{"S":"x"}}}, "One or more parameter values were invalid: Cannot update attribute a. This attribute is part of the key"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"UpdateExpression":"SET b = :v, b = :v","ExpressionAttributeValues":{":v":{"S":"x"}}}, "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [b], path two: [b]"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"UpdateExpression":"SET b = :v REMOVE b","ExpressionAttributeValues":{":v":{"S":"x"}}}, "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [b], path two: [b]"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"UpdateExpression":"SET b.c = :v REMOVE b","ExpressionAttributeValues":{":v":{"S":"x"}}}, "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [b, c], path two: [b]"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"UpdateExpression":"SET b = :v SET c = :v","ExpressionAttributeValues":{":v":{"S":"x"}}}, "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"UpdateExpression":"ADD b :v","ExpressionAttributeValues":{":v":{"S":"x"}}}, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"UpdateExpression":"DELETE b :v","ExpressionAttributeValues":{":v":{"S":"x"}}}, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: STRING"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"UpdateExpression":"REMOVE a"}, "One or more parameter values were invalid: Cannot update attribute a. This attribute is part of the key"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"UpdateExpression":"SET b = :v","AttributeUpdates":{"b":{"Action":"PUT","Value":{"S":"x"}}},"ExpressionAttributeValues":{":v":{"S":"x"}}}, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"AttributeUpdates":{"b":{"Action":"PUT"}}}, "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"AttributeUpdates":{"b":{"Action":"DELETE","Value":{"S":"x"}}}}, "One or more parameter values were invalid: DELETE action with value is not supported for the type S"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"AttributeUpdates":{"b":{"Action":"ADD","Value":{"S":"x"}}}}, "One or more parameter values were invalid: ADD action is not supported for the type S"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"AttributeUpdates":{"b":{"Action":"ADD","Value":{}}}}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"AttributeUpdates":{"a":{"Action":"PUT","Value":{"S":"y"}}}}, "One or more parameter values were invalid: Cannot update attribute a. This attribute is part of the key"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"UpdateExpression":"SET b = list_append(:v, :v)","ExpressionAttributeValues":{":v":{"S":"x"}}}, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"UpdateExpression":"SET b = if_not_exists(:v, :v)","ExpressionAttributeValues":{":v":{"S":"x"}}}, "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"UpdateExpression":"SET b = size(c)"}, "Invalid UpdateExpression: Invalid function name; function: size"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"UpdateExpression":"SET b = :v + :v","ExpressionAttributeValues":{":v":{"S":"x"}}}, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"UpdateExpression":"SET b = :v","ExpressionAttributeValues":{":v":{"S":"x"}},"ReturnValues":"XX"}, "1 validation error detected: Value 'XX' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"UpdateExpression":"SET b = :v","ConditionExpression":"a = :w","ExpressionAttributeValues":{":v":{"S":"x"}}}, "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :w"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"ExpressionAttributeValues":{":v":{"S":"x"}}}, "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null"],
    [{"TableName":"rangeT","Key":{"a":{"S":"x"},"b":{"N":"1"}},"UpdateExpression":"SET b = :v","ExpressionAttributeValues":{":v":{"N":"2"}}}, "One or more parameter values were invalid: Cannot update attribute b. This attribute is part of the key"],
    [{"TableName":"hashT","Key":{"a":{"S":"x"}},"UpdateExpression":"SET b[0] = :v","ExpressionAttributeValues":{":v":{"S":"x"}}}, "The document path provided in the update expression is invalid for update"],
  ],
  Query: [
    [{}, "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"],
    [{"TableName":"rangeT"}, "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."],
    [{"TableName":"nope","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}}}, "Requested resource not found", 'ResourceNotFoundException'],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"Limit":0}, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"Limit":-1}, "1 validation error detected: Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"Select":"X"}, "1 validation error detected: Value 'X' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"IndexName":"ab"}, "1 validation error detected: Value 'ab' at 'indexName' failed to satisfy constraint: Member must have length greater than or equal to 3"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"IndexName":"a$b"}, "1 validation error detected: Value 'a$b' at 'indexName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"IndexName":"nope"}, "The table does not have the specified index: nope"],
    [{"TableName":"rangeT","KeyConditionExpression":"d = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"IndexName":"gsi","Select":"ALL_ATTRIBUTES"}, "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index gsi because its projection type is not ALL"],
    [{"TableName":"rangeT","KeyConditionExpression":"d = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"IndexName":"gsi","ConsistentRead":true}, "Consistent reads are not supported on global secondary indexes"],
    [{"TableName":"rangeT","KeyConditionExpression":"b = :a","ExpressionAttributeValues":{":a":{"S":"x"}}}, "Query condition missed key schema element: a"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a AND a = :a","ExpressionAttributeValues":{":a":{"S":"x"}}}, "KeyConditionExpressions must only contain one condition per key"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a OR b = :a","ExpressionAttributeValues":{":a":{"S":"x"}}}, "Invalid operator used in KeyConditionExpression: OR"],
    [{"TableName":"rangeT","KeyConditionExpression":"a <> :a","ExpressionAttributeValues":{":a":{"S":"x"}}}, "Invalid operator used in KeyConditionExpression: <>"],
    [{"TableName":"rangeT","KeyConditionExpression":"a < :a","ExpressionAttributeValues":{":a":{"S":"x"}}}, "Query key condition not supported"],
    [{"TableName":"rangeT","KeyConditionExpression":"attribute_exists(a)","ExpressionAttributeValues":{":a":{"S":"x"}}}, "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a}"],
    [{"TableName":"rangeT","KeyConditionExpression":"begins_with(a, :a)","ExpressionAttributeValues":{":a":{"S":"x"}}}, "Query key condition not supported"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a AND c = :a","ExpressionAttributeValues":{":a":{"S":"x"}}}, "Query condition missed key schema element: b"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a AND b = :a","ExpressionAttributeValues":{":a":{"S":"x"}}}, "One or more parameter values were invalid: Condition parameter type does not match schema type"],
    [{"TableName":"rangeT","KeyConditionExpression":"a.b = :a","ExpressionAttributeValues":{":a":{"S":"x"}}}, "KeyConditionExpressions cannot have conditions on nested attributes"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = a","ExpressionAttributeValues":{":a":{"S":"x"}}}, "Invalid KeyConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"],
    [{"TableName":"rangeT","KeyConditionExpression":":a = :a","ExpressionAttributeValues":{":a":{"S":"x"}}}, "Invalid condition in KeyConditionExpression: No key attribute specified"],
    [{"TableName":"rangeT","KeyConditionExpression":"size(a) = :a","ExpressionAttributeValues":{":a":{"S":"x"}}}, "KeyConditionExpressions cannot contain nested operations"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a AND b BETWEEN :a AND :a","ExpressionAttributeValues":{":a":{"S":"x"}}}, "One or more parameter values were invalid: Condition parameter type does not match schema type"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a AND begins_with(b, :a)","ExpressionAttributeValues":{":a":{"S":"x"}}}, "One or more parameter values were invalid: Condition parameter type does not match schema type"],
    [{"TableName":"rangeT","KeyConditionExpression":"a IN (:a)","ExpressionAttributeValues":{":a":{"S":"x"}}}, "Invalid operator used in KeyConditionExpression: IN"],
    [{"TableName":"rangeT","KeyConditionExpression":"NOT a = :a","ExpressionAttributeValues":{":a":{"S":"x"}}}, "Invalid operator used in KeyConditionExpression: NOT"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a AND b > :b","ExpressionAttributeValues":{":a":{"S":"x"},":b":{"N":"1"},":c":{"N":"1"}}}, "Value provided in ExpressionAttributeValues unused in expressions: keys: {:c}"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a AND b BETWEEN :b AND :c","ExpressionAttributeValues":{":a":{"S":"x"},":b":{"N":"2"},":c":{"N":"1"}}}, "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"FilterExpression":"a = :a"}, "Filter Expression can only contain non-primary key attributes: Primary key attribute: a"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"FilterExpression":"b = :a"}, "Filter Expression can only contain non-primary key attributes: Primary key attribute: b"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"FilterExpression":""}, "Invalid FilterExpression: The expression can not be empty;"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"KeyConditions":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}}}, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}"],
    [{"TableName":"rangeT","KeyConditions":{"a":{"ComparisonOperator":"EQ"}}}, "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"],
    [{"TableName":"rangeT","KeyConditions":{"a":{"AttributeValueList":[{"S":"x"}]}}}, "1 validation error detected: Value null at 'keyConditions.a.member.comparisonOperator' failed to satisfy constraint: Member must not be null"],
    [{"TableName":"rangeT","KeyConditions":{"a":{"ComparisonOperator":"NE","AttributeValueList":[{"S":"x"}]}}}, "Attempted conditional constraint is not an indexable operation"],
    [{"TableName":"rangeT","KeyConditions":{"b":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]}}}, "Query condition missed key schema element: a"],
    [{"TableName":"rangeT","KeyConditions":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]}}}, "One or more parameter values were invalid: Condition parameter type does not match schema type"],
    [{"TableName":"rangeT","KeyConditions":{}}, "Conditions can be of length 1 or 2 only"],
    [{"TableName":"rangeT","KeyConditions":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]},"b":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]},"c":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}}}, "Conditions can be of length 1 or 2 only"],
    [{"TableName":"rangeT","KeyConditions":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}},"QueryFilter":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}}}, "QueryFilter can only contain non-primary key attributes: Primary key attribute: a"],
    [{"TableName":"rangeT","KeyConditions":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}},"QueryFilter":{"c":{"ComparisonOperator":"EQ"}}}, "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"],
    [{"TableName":"rangeT","KeyConditions":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}},"QueryFilter":{"c":{"ComparisonOperator":"LT","AttributeValueList":[{"BOOL":true}]}}}, "One or more parameter values were invalid: ComparisonOperator LT is not valid for BOOL AttributeValue type"],
    [{"TableName":"rangeT","KeyConditions":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}},"QueryFilter":{"c":{"ComparisonOperator":"IN","AttributeValueList":[{"S":"x"},{"N":"1"}]}}}, "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"],
    [{"TableName":"rangeT","KeyConditions":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}},"AttributesToGet":["a","a"]}, "One or more parameter values were invalid: Duplicate value in attribute name: a"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"ExclusiveStartKey":{"a":{"S":"x"}}}, "The provided starting key is invalid"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"ExclusiveStartKey":{"a":{"S":"y"},"b":{"N":"1"}}}, "The provided starting key is outside query boundaries based on provided conditions"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"ExclusiveStartKey":{"a":{}}}, "The provided starting key is invalid: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"ExclusiveStartKey":{"a":{"NS":[]}}}, "One or more parameter values were invalid: An number set  may not be empty"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"ExclusiveStartKey":{"a":{"N":"x"}}}, "The parameter cannot be converted to a numeric value: x"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"ProjectionExpression":"a","AttributesToGet":["a"]}, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression, KeyConditionExpression}"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"ExpressionAttributeNames":{"#u":"x"}}, "Value provided in ExpressionAttributeNames unused in expressions: keys: {#u}"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a AND b > :b","ExpressionAttributeValues":{":a":{"S":"x"},":b":{"N":"5"}},"ExclusiveStartKey":{"a":{"S":"x"},"b":{"N":"1"}}}, "The provided starting key does not match the range key predicate"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a AND b > :b","ExpressionAttributeValues":{":a":{"S":"x"},":b":{"N":"5"}},"ExclusiveStartKey":{"a":{"S":"y"},"b":{"N":"6"}}}, "The query can return at most one row and cannot be restarted"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"ExclusiveStartKey":{"a":{"S":"x"},"b":{"S":"1"}}}, "The provided key element does not match the schema"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"ExclusiveStartKey":{"a":{"S":""},"b":{"N":"1"}}}, "One or more parameter values were invalid: The AttributeValue for a key attribute cannot contain an empty string value. Key: a"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"ExclusiveStartKey":{"a":{"S":"x"},"c":{"N":"1"}}}, "The provided starting key is invalid"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"IndexName":"lsi","ExclusiveStartKey":{"a":{"S":"x"},"b":{"N":"1"}}}, "The provided starting key is invalid"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"IndexName":"lsi","ExclusiveStartKey":{"a":{"S":"x"},"b":{"N":"1"},"c":{"N":"1"}}}, "The provided key element does not match the schema"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"ExclusiveStartKey":{"a":{"S":"x"},"b":{"NS":["1","1"]}}}, "Input collection contains duplicates"],
    [{"TableName":"rangeT","KeyConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"ExclusiveStartKey":{"a":{"S":"x"},"b":{"N":"1e999"}}}, "Number overflow. Attempting to store a number with magnitude larger than supported range"],
    [{"TableName":"rangeT","KeyConditions":{"a":{"ComparisonOperator":"NULL"}}}, "Attempted conditional constraint is not an indexable operation"],
    [{"TableName":"rangeT","KeyConditions":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]},"b":{"ComparisonOperator":"IN","AttributeValueList":[{"N":"1"}]}}}, "Attempted conditional constraint is not an indexable operation"],
    [{"TableName":"rangeT","KeyConditions":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]},"b":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"3"},{"N":"1"}]}}}, "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"],
    [{"TableName":"rangeT","KeyConditions":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]},"b":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"N":"1"}]}}}, "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"],
  ],
  Scan: [
    [{"TableName":"hashT","ExclusiveStartKey":{"a":{"S":"x"},"b":{"S":"x"}}}, "The provided starting key is invalid: The provided key element does not match the schema"],
    [{"TableName":"rangeT","IndexName":"gsi","ExclusiveStartKey":{"a":{"S":"x"},"b":{"N":"1"}}}, "The provided starting key is invalid"],
    [{"TableName":"rangeT","IndexName":"gsi","ExclusiveStartKey":{"a":{"S":"x"},"b":{"N":"1"},"d":{"N":"1"}}}, "The provided key element does not match the schema"],
    [{"TableName":"rangeT","IndexName":"gsi","ExclusiveStartKey":{"a":{"S":"x"},"b":{"S":"1"},"d":{"S":"1"}}}, "The provided starting key is invalid: The provided key element does not match the schema"],
    [{"TableName":"hashT","ExclusiveStartKey":{"a":{"SS":["a","a"]}}}, "One or more parameter values were invalid: Input collection [a, a] contains duplicates."],
    [{"TableName":"hashT","ScanFilter":{"a":{"ComparisonOperator":"NOT_NULL","AttributeValueList":[{"S":"x"}]}}}, "One or more parameter values were invalid: Invalid number of argument(s) for the NOT_NULL ComparisonOperator"],
    [{"TableName":"hashT","ScanFilter":{"a":{"ComparisonOperator":"IN","AttributeValueList":[]}}}, "One or more parameter values were invalid: Invalid number of argument(s) for the IN ComparisonOperator"],
    [{}, "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"],
    [{"TableName":"hashT","Limit":0}, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    [{"TableName":"hashT","Segment":1}, "The TotalSegments parameter is required but was not present in the request when Segment parameter is present"],
    [{"TableName":"hashT","TotalSegments":2}, "The Segment parameter is required but was not present in the request when parameter TotalSegments is present"],
    [{"TableName":"hashT","Segment":2,"TotalSegments":2}, "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 2 is not less than TotalSegments: 2"],
    [{"TableName":"hashT","Segment":-1,"TotalSegments":0}, "2 validation errors detected: Value '0' at 'totalSegments' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0"],
    [{"TableName":"hashT","IndexName":"nope"}, "The table does not have the specified index: nope"],
    [{"TableName":"hashT","FilterExpression":"a = :v"}, "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :v"],
    [{"TableName":"hashT","FilterExpression":"a = :v","ExpressionAttributeValues":{":v":{"S":"x"},":w":{"S":"x"}}}, "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"],
    [{"TableName":"hashT","ExpressionAttributeValues":{":v":{"S":"x"}}}, "ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null"],
    [{"TableName":"hashT","ScanFilter":{"a":{"ComparisonOperator":"EQ"}}}, "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"],
    [{"TableName":"hashT","ScanFilter":{"a":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"3"},{"N":"1"}]}}}, "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"],
    [{"TableName":"hashT","ScanFilter":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}},"FilterExpression":"a = a"}, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {ScanFilter} Expression parameters: {FilterExpression}"],
    [{"TableName":"hashT","ScanFilter":{"a":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"N":"1"}]}}}, "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"],
    [{"TableName":"hashT","ScanFilter":{"a":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"SS":["a"]}]}}}, "One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid for SS AttributeValue type"],
    [{"TableName":"hashT","ScanFilter":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"BOOL":true}]}}}, "One or more parameter values were invalid: ComparisonOperator EQ is not valid for BOOL AttributeValue type"],
    [{"TableName":"hashT","ScanFilter":{"a":{"ComparisonOperator":"IN","AttributeValueList":[{"SS":["a"]}]}}}, "One or more parameter values were invalid: ComparisonOperator IN is not valid for SS AttributeValue type"],
    [{"TableName":"hashT","ScanFilter":{"a":{}}}, "1 validation error detected: Value null at 'scanFilter.a.member.comparisonOperator' failed to satisfy constraint: Member must not be null"],
    [{"TableName":"hashT","ExclusiveStartKey":{"b":{"S":"x"}}}, "The provided starting key is invalid: The provided key element does not match the schema"],
    [{"TableName":"hashT","ExclusiveStartKey":{"a":{"N":"1"}}}, "The provided starting key is invalid: The provided key element does not match the schema"],
    [{"TableName":"hashT","ExclusiveStartKey":{"a":{"S":""}}}, "The provided starting key is invalid: One or more parameter values were invalid: The AttributeValue for a key attribute cannot contain an empty string value. Key: a"],
    [{"TableName":"hashT","AttributesToGet":["a","b","a"]}, "One or more parameter values were invalid: Duplicate value in attribute name: a"],
    [{"TableName":"nope","ScanFilter":{"a":{"ComparisonOperator":"EQ"}}}, "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"],
  ],
  BatchGetItem: [
    [{}, "1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null"],
    [{"RequestItems":{}}, "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    [{"RequestItems":{"hashT":{"Keys":[]}}}, "1 validation error detected: Value '[]' at 'requestItems.hashT.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    [{"RequestItems":{"hashT":{}}}, "1 validation error detected: Value null at 'requestItems.hashT.member.keys' failed to satisfy constraint: Member must not be null"],
    [{"RequestItems":{"hashT":{"Keys":[{"a":{"S":"x"}},{"a":{"S":"x"}}]}}}, "Provided list of item keys contains duplicates"],
    [{"RequestItems":{"nope":{"Keys":[{"a":{"S":"x"}}]}}}, "Requested resource not found", 'ResourceNotFoundException'],
    [{"RequestItems":{"hashT":{"Keys":[{"a":{"N":"1"}}]}}}, "The provided key element does not match the schema"],
    [{"RequestItems":{"hashT":{"Keys":[{"a":{}}]}}}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"],
    [{"RequestItems":{"nope":{"Keys":[{"a":{}}]}}}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"],
    [{"RequestItems":{"ab":{"Keys":[{"a":{"S":"x"}}]}}}, "1 validation error detected: Value '{\"ab\":{\"Keys\":[{\"a\":{\"S\":\"x\"}}]}}' at 'requestItems' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]"],
    [{"RequestItems":{"hashT":{"Keys":[{"a":{"S":"x"}}],"AttributesToGet":["a"],"ProjectionExpression":"a"}}}, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"],
    [{"RequestItems":{"hashT":{"Keys":[{"a":{"S":"x"}}],"ExpressionAttributeNames":{"#a":"a"}}}}, "ExpressionAttributeNames can only be specified when using expressions"],
    [{"RequestItems":{"hashT":{"Keys":[{"a":{"S":"x"}}],"AttributesToGet":["a","a"]}}}, "One or more parameter values were invalid: Duplicate value in attribute name: a"],
    [{"RequestItems":{"hashT":{"Keys":[{"a":{"S":"x"}}],"ProjectionExpression":"a","ExpressionAttributeNames":{"#a":"a"}}}}, "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}"],
    [{"RequestItems":{"hashT":{"Keys":[{"b":{"S":"x"}}]}}}, "The provided key element does not match the schema"],
    [{"RequestItems":{"hashT":{"Keys":[{"a":{"S":"x"}}]}},"ReturnConsumedCapacity":"X"}, "1 validation error detected: Value 'X' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"],
  ],
  BatchWriteItem: [
    [{}, "1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null"],
    [{"RequestItems":{}}, "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    [{"RequestItems":{"hashT":[]}}, "1 validation error detected: Value '{\"hashT\":[]}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"],
    [{"RequestItems":{"hashT":[{}]}}, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"],
    [{"RequestItems":{"hashT":[{"PutRequest":{"Item":{"a":{"S":"x"}}}},{"DeleteRequest":{"Key":{"a":{"S":"x"}}}}]}}, "Provided list of item keys contains duplicates"],
    [{"RequestItems":{"nope":[{"PutRequest":{"Item":{"a":{"S":"x"}}}}]}}, "Requested resource not found", 'ResourceNotFoundException'],
    [{"RequestItems":{"nope":[{"PutRequest":{"Item":{"a":{}}}}]}}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"],
    [{"RequestItems":{"hashT":[{"PutRequest":{"Item":{"a":{"N":"1"}}}}]}}, "The provided key element does not match the schema"],
    [{"RequestItems":{"hashT":[{"PutRequest":{"Item":{"b":{"S":"1"}}}}]}}, "The provided key element does not match the schema"],
    [{"RequestItems":{"hashT":[{"DeleteRequest":{"Key":{"a":{"N":"1"}}}}]}}, "The provided key element does not match the schema"],
    [{"RequestItems":{"hashT":[{"PutRequest":{}}]}}, "1 validation error detected: Value null at 'requestItems.hashT.member.1.member.putRequest.item' failed to satisfy constraint: Member must not be null"],
    [{"RequestItems":{"hashT":[{"DeleteRequest":{}}]}}, "1 validation error detected: Value null at 'requestItems.hashT.member.1.member.deleteRequest.key' failed to satisfy constraint: Member must not be null"],
    [{"RequestItems":{"hashT":[{"PutRequest":{"Item":{"a":{"S":""}}}}]}}, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: a"],
    [{"RequestItems":{"ab":[{"PutRequest":{"Item":{"a":{"S":"x"}}}}]}}, "1 validation error detected: Value '{\"ab\":[{\"PutRequest\":{\"Item\":{\"a\":{\"S\":\"x\"}}}}]}' at 'requestItems' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]"],
    [{"RequestItems":{"hashT":[{"PutRequest":{"Item":{"a":{"S":"x"}}}}]},"ReturnItemCollectionMetrics":"X"}, "1 validation error detected: Value 'X' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]"],
  ],
};

describe('DynamoDB validation errors', () => {
  let nimbus: Nimbus;
  let ddb: DynamoDBClient;

  /**
   * Sends the body exactly as given (the SDK would refuse or reshape many of these requests), through
   * the SDK client so that it is signed, and returns the error's name and message.
   */
  async function attempt(op: Op, body: Record<string, unknown>): Promise<[string, string]> {
    const command = new (COMMANDS[op] as unknown as new (input: object) => PutItemCommand)({});
    command.middlewareStack.add((next) => (args) => {
      (args.request as { body: string }).body = JSON.stringify(body);
      return next(args);
    }, { step: 'build', priority: 'high' });
    try {
      await ddb.send(command);
    } catch (e) {
      return [(e as Error).name, (e as Error).message];
    }
    return ['no error', ''];
  }

  async function check(op: Op, cases: Case[]): Promise<void> {
    const got: [string, string][] = [];
    for (const [input] of cases) got.push(await attempt(op, input));
    assert.deepEqual(got, cases.map(([, message, name]) => [name ?? 'ValidationException', message]));
  }

  before(async () => {
    nimbus = await start();
    ddb = new DynamoDBClient(clientConfig(nimbus));
    await ddb.send(new CreateTableCommand({
      TableName: HASH, AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST',
    }));
    await ddb.send(new CreateTableCommand({
      TableName: RANGE,
      AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }, { AttributeName: 'b', AttributeType: 'N' }, { AttributeName: 'c', AttributeType: 'S' }, { AttributeName: 'd', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }, { AttributeName: 'b', KeyType: 'RANGE' }],
      BillingMode: 'PAY_PER_REQUEST',
      LocalSecondaryIndexes: [{ IndexName: 'lsi', KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }, { AttributeName: 'c', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
      GlobalSecondaryIndexes: [{ IndexName: 'gsi', KeySchema: [{ AttributeName: 'd', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
    }));
  });
  after(() => nimbus.stop());

  for (const [op, cases] of Object.entries(CASES) as [Op, Case[]][]) {
    it(`${op} answers malformed requests with DynamoDB's errors (${cases.length} cases)`, () => check(op, cases));
  }
});

