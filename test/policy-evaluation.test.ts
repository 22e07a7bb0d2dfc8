import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { evaluate, type AuthorizationRequest, type RequestPrincipal } from '../src/iam/evaluate.js';
import { arnMatcher, contextOf, glob, type ContextValue } from '../src/iam/match.js';
import { parsePolicy, type PolicyKind } from '../src/iam/policy.js';

/**
 * Policy evaluation as the IAM User Guide documents it, one row per documented behaviour:
 * reference_policies_evaluation-logic.html, reference_policies_elements_*.html,
 * reference_policies_condition-*.html, reference_policies_variables.html.
 */

const ACCOUNT = '111111111111';
const OTHER = '222222222222';
const alice: RequestPrincipal = { kind: 'user', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, account: ACCOUNT };
const bob: RequestPrincipal = { kind: 'user', arn: `arn:aws:iam::${OTHER}:user/bob`, account: OTHER };
const session: RequestPrincipal = { kind: 'assumed-role', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/s1`, account: ACCOUNT, roleArn: `arn:aws:iam::${ACCOUNT}:role/app` };
const root: RequestPrincipal = { kind: 'root', arn: `arn:aws:iam::${ACCOUNT}:root`, account: ACCOUNT };
const anonymous: RequestPrincipal = { kind: 'anonymous', arn: '*', account: '' };
const lambda: RequestPrincipal = { kind: 'service', arn: 'lambda.amazonaws.com', account: '' };

type Doc = Record<string, unknown>;
type Expect = 'allow' | 'deny' | 'implicit' | `implicit:${'identity' | 'boundary' | 'session' | 'resource'}` | `deny:${'identity' | 'boundary' | 'session' | 'resource'}`;

interface Case {
  name: string;
  identity?: Doc[];
  boundary?: Doc;
  session?: Doc[];
  resource?: Doc;
  principal?: RequestPrincipal;
  action?: string;
  resourceArn?: string;
  resourceAccount?: string;
  resourceRequired?: boolean;
  context?: Record<string, ContextValue>;
  expect: Expect;
}

const doc = (...Statement: Doc[]): Doc => ({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[] = '*', extra: Doc = {}): Doc => ({ Effect: 'Allow', Action, Resource, ...extra });
const deny = (Action: string | string[], Resource: string | string[] = '*', extra: Doc = {}): Doc => ({ Effect: 'Deny', Action, Resource, ...extra });
const when = (operator: string, key: string, value: unknown): Doc => ({ Condition: { [operator]: { [key]: value } } });
const OBJ = 'arn:aws:s3:::bucket/key';
const getWhen = (operator: string, key: string, value: unknown) => [doc(allow('s3:GetObject', '*', when(operator, key, value)))];

const cases: Case[] = [
  // Evaluation order: implicit deny, allow, explicit deny.
  { name: 'no policy at all is an implicit deny', expect: 'implicit:identity' },
  { name: 'an identity policy that allows the action allows', identity: [doc(allow('s3:GetObject', OBJ))], expect: 'allow' },
  { name: 'an allow for another action is an implicit deny', identity: [doc(allow('s3:PutObject', OBJ))], expect: 'implicit:identity' },
  { name: 'an allow for another resource is an implicit deny', identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::bucket/other'))], expect: 'implicit:identity' },
  { name: 'an explicit deny in the same policy wins over its allow', identity: [doc(allow('s3:GetObject'), deny('s3:GetObject'))], expect: 'deny:identity' },
  { name: 'an explicit deny in a second policy wins', identity: [doc(allow('s3:*')), doc(deny('s3:GetObject', OBJ))], expect: 'deny:identity' },
  { name: 'a deny for another action does not affect the allow', identity: [doc(allow('s3:*')), doc(deny('s3:PutObject'))], expect: 'allow' },
  { name: 'a deny whose condition fails does not apply', identity: [doc(allow('s3:*'), deny('s3:*', '*', when('Bool', 'aws:SecureTransport', 'false')))], context: { 'aws:SecureTransport': 'true' }, expect: 'allow' },
  { name: 'a deny whose condition holds applies', identity: [doc(allow('s3:*'), deny('s3:*', '*', when('Bool', 'aws:SecureTransport', 'false')))], context: { 'aws:SecureTransport': 'false' }, expect: 'deny:identity' },
  { name: 'Statement may be a single object, not a list', identity: [{ Version: '2012-10-17', Statement: allow('s3:GetObject') }], expect: 'allow' },
  { name: 'two allows from different policies add up', identity: [doc(allow('s3:PutObject')), doc(allow('s3:GetObject'))], expect: 'allow' },
  // Action element.
  { name: 'Action "*" matches every action', identity: [doc(allow('*'))], expect: 'allow' },
  { name: 'service wildcard s3:* matches s3:GetObject', identity: [doc(allow('s3:*'))], expect: 'allow' },
  { name: 'prefix wildcard s3:Get* matches s3:GetObject', identity: [doc(allow('s3:Get*'))], expect: 'allow' },
  { name: 'prefix wildcard s3:Put* does not match s3:GetObject', identity: [doc(allow('s3:Put*'))], expect: 'implicit' },
  { name: 'infix wildcard s3:*Object matches', identity: [doc(allow('s3:*Object'))], expect: 'allow' },
  { name: '? matches exactly one character', identity: [doc(allow('s3:GetObjec?'))], expect: 'allow' },
  { name: '? does not match two characters', identity: [doc(allow('s3:GetObje?'))], expect: 'implicit' },
  { name: 'action names compare case-insensitively', identity: [doc(allow('S3:getobject'))], expect: 'allow' },
  { name: 'another service prefix does not match', identity: [doc(allow('sqs:*'))], expect: 'implicit' },
  { name: 'a list of actions matches any member', identity: [doc(allow(['sqs:SendMessage', 's3:GetObject']))], expect: 'allow' },
  { name: 'an action wildcard stays within the service', identity: [doc(allow('s3:*'))], action: 'sqs:SendMessage', expect: 'implicit' },
  // NotAction.
  { name: 'NotAction allows everything but the listed actions', identity: [doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })], expect: 'allow' },
  { name: 'NotAction does not allow the listed actions', identity: [doc({ Effect: 'Allow', NotAction: 's3:*', Resource: '*' })], expect: 'implicit' },
  { name: 'Deny with NotAction denies everything else', identity: [doc(allow('*'), { Effect: 'Deny', NotAction: 'iam:*', Resource: '*' })], expect: 'deny:identity' },
  { name: 'Deny with NotAction spares the listed actions', identity: [doc(allow('*'), { Effect: 'Deny', NotAction: 's3:Get*', Resource: '*' })], expect: 'allow' },
  { name: 'NotAction with a list excludes each member', identity: [doc({ Effect: 'Allow', NotAction: ['iam:*', 's3:GetObject'], Resource: '*' })], expect: 'implicit' },
  // Resource element.
  { name: 'Resource "*" matches every resource', identity: [doc(allow('s3:GetObject', '*'))], expect: 'allow' },
  { name: 'bucket/* matches an object in the bucket', identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::bucket/*'))], expect: 'allow' },
  { name: 'bucket/* does not match the bucket itself', identity: [doc(allow('s3:ListBucket', 'arn:aws:s3:::bucket/*'))], action: 's3:ListBucket', resourceArn: 'arn:aws:s3:::bucket', expect: 'implicit' },
  { name: 'a bucket ARN does not match its objects', identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::bucket'))], expect: 'implicit' },
  { name: 'resource ARNs are case-sensitive', identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::Bucket/key'))], expect: 'implicit' },
  { name: 'a wildcard inside the resource part spans slashes', identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::bucket/*'))], resourceArn: 'arn:aws:s3:::bucket/a/b/c.txt', expect: 'allow' },
  { name: 'a wildcard in the region segment matches any region', identity: [doc(allow('sqs:SendMessage', `arn:aws:sqs:*:${ACCOUNT}:q`))], action: 'sqs:SendMessage', resourceArn: `arn:aws:sqs:eu-west-1:${ACCOUNT}:q`, expect: 'allow' },
  { name: 'a wildcard does not span ARN segments', identity: [doc(allow('lambda:InvokeFunction', 'arn:aws:lambda:*:function:*'))], action: 'lambda:InvokeFunction', resourceArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`, expect: 'implicit' },
  { name: 'the account segment must match', identity: [doc(allow('sqs:SendMessage', `arn:aws:sqs:us-east-1:${OTHER}:q`))], action: 'sqs:SendMessage', resourceArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`, expect: 'implicit' },
  { name: '? matches one character in a resource', identity: [doc(allow('sqs:SendMessage', `arn:aws:sqs:us-east-1:${ACCOUNT}:q?`))], action: 'sqs:SendMessage', resourceArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:q1`, expect: 'allow' },
  { name: 'a resource part containing colons matches with a wildcard', identity: [doc(allow('lambda:InvokeFunction', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f*`))], action: 'lambda:InvokeFunction', resourceArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f:prod`, expect: 'allow' },
  { name: 'a list of resources matches any member', identity: [doc(allow('s3:GetObject', ['arn:aws:s3:::x/*', 'arn:aws:s3:::bucket/*']))], expect: 'allow' },
  { name: 'an IAM path wildcard matches users under the path', identity: [doc(allow('iam:GetUser', `arn:aws:iam::${ACCOUNT}:user/dev/*`))], action: 'iam:GetUser', resourceArn: `arn:aws:iam::${ACCOUNT}:user/dev/carol`, expect: 'allow' },
  { name: 'an IAM path wildcard does not match other paths', identity: [doc(allow('iam:GetUser', `arn:aws:iam::${ACCOUNT}:user/dev/*`))], action: 'iam:GetUser', resourceArn: `arn:aws:iam::${ACCOUNT}:user/ops/carol`, expect: 'implicit' },
  { name: 'DynamoDB table ARN with index wildcard', identity: [doc(allow('dynamodb:Query', `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t/index/*`))], action: 'dynamodb:Query', resourceArn: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t/index/byDate`, expect: 'allow' },
  // NotResource.
  { name: 'NotResource allows everything but the listed resources', identity: [doc({ Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::secret/*' })], expect: 'allow' },
  { name: 'NotResource does not allow the listed resources', identity: [doc({ Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::bucket/*' })], expect: 'implicit' },
  { name: 'Deny with NotResource denies every other resource', identity: [doc(allow('s3:*'), { Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::safe/*' })], expect: 'deny:identity' },
  { name: 'Deny with NotResource spares the listed resources', identity: [doc(allow('s3:*'), { Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::bucket/*' })], expect: 'allow' },
  { name: 'NotAction and NotResource together', identity: [doc({ Effect: 'Allow', NotAction: 'iam:*', NotResource: 'arn:aws:s3:::secret/*' })], expect: 'allow' },
  // Policy variables.
  { name: '${aws:username} in a resource matches the user own prefix', identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*'))], resourceArn: 'arn:aws:s3:::home/alice/notes.txt', context: { 'aws:username': 'alice' }, expect: 'allow' },
  { name: '${aws:username} does not match another user prefix', identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*'))], resourceArn: 'arn:aws:s3:::home/bob/notes.txt', context: { 'aws:username': 'alice' }, expect: 'implicit' },
  { name: 'a variable without a value matches nothing', identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*'))], resourceArn: 'arn:aws:s3:::home//x', expect: 'implicit' },
  { name: 'a variable with a default uses the default when absent', identity: [doc(allow('s3:GetObject', "arn:aws:s3:::home/${aws:username, 'guest'}/*"))], resourceArn: 'arn:aws:s3:::home/guest/x', expect: 'allow' },
  { name: 'variable names compare case-insensitively', identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::home/${AWS:UserName}/*'))], resourceArn: 'arn:aws:s3:::home/alice/x', context: { 'aws:username': 'alice' }, expect: 'allow' },
  { name: 'version 2008-10-17 treats ${aws:username} literally', identity: [{ Version: '2008-10-17', Statement: [allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*')] }], resourceArn: 'arn:aws:s3:::home/alice/x', context: { 'aws:username': 'alice' }, expect: 'implicit' },
  { name: '${*} is a literal asterisk', identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::b/${*}'))], resourceArn: 'arn:aws:s3:::b/*', expect: 'allow' },
  { name: '${*} does not act as a wildcard', identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::b/${*}'))], resourceArn: 'arn:aws:s3:::b/x', expect: 'implicit' },
  { name: 'a principal tag variable in a resource', identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::${aws:PrincipalTag/team}/*'))], resourceArn: 'arn:aws:s3:::blue/x', context: { 'aws:PrincipalTag/team': 'blue' }, expect: 'allow' },
  { name: 'a variable in a condition value', identity: getWhen('StringEquals', 's3:prefix', 'home/${aws:username}/'), context: { 's3:prefix': 'home/alice/', 'aws:username': 'alice' }, expect: 'allow' },
  { name: 'a variable in a condition value that does not match', identity: getWhen('StringEquals', 's3:prefix', 'home/${aws:username}/'), context: { 's3:prefix': 'home/bob/', 'aws:username': 'alice' }, expect: 'implicit' },
  { name: 'a variable in a StringLike condition', identity: getWhen('StringLike', 's3:prefix', ['home/${aws:username}/*']), context: { 's3:prefix': 'home/alice/docs/', 'aws:username': 'alice' }, expect: 'allow' },
  // String operators.
  { name: 'StringEquals matches an equal value', identity: getWhen('StringEquals', 'aws:RequestedRegion', 'us-east-1'), context: { 'aws:RequestedRegion': 'us-east-1' }, expect: 'allow' },
  { name: 'StringEquals is case-sensitive', identity: getWhen('StringEquals', 'aws:RequestedRegion', 'US-EAST-1'), context: { 'aws:RequestedRegion': 'us-east-1' }, expect: 'implicit' },
  { name: 'StringEquals with several values is an OR', identity: getWhen('StringEquals', 'aws:RequestedRegion', ['eu-west-1', 'us-east-1']), context: { 'aws:RequestedRegion': 'us-east-1' }, expect: 'allow' },
  { name: 'StringEquals fails when the key is missing', identity: getWhen('StringEquals', 'aws:RequestedRegion', 'us-east-1'), expect: 'implicit' },
  { name: 'StringEqualsIfExists passes when the key is missing', identity: getWhen('StringEqualsIfExists', 'aws:RequestedRegion', 'us-east-1'), expect: 'allow' },
  { name: 'StringEqualsIfExists still checks a present key', identity: getWhen('StringEqualsIfExists', 'aws:RequestedRegion', 'us-east-1'), context: { 'aws:RequestedRegion': 'eu-west-1' }, expect: 'implicit' },
  { name: 'StringNotEquals passes for a different value', identity: getWhen('StringNotEquals', 'aws:RequestedRegion', 'eu-west-1'), context: { 'aws:RequestedRegion': 'us-east-1' }, expect: 'allow' },
  { name: 'StringNotEquals fails for the same value', identity: getWhen('StringNotEquals', 'aws:RequestedRegion', 'us-east-1'), context: { 'aws:RequestedRegion': 'us-east-1' }, expect: 'implicit' },
  { name: 'StringNotEquals with several values fails if any is equal', identity: getWhen('StringNotEquals', 'aws:RequestedRegion', ['eu-west-1', 'us-east-1']), context: { 'aws:RequestedRegion': 'us-east-1' }, expect: 'implicit' },
  { name: 'StringNotEquals passes when the key is missing', identity: getWhen('StringNotEquals', 'aws:RequestedRegion', 'us-east-1'), expect: 'allow' },
  { name: 'StringEqualsIgnoreCase ignores case', identity: getWhen('StringEqualsIgnoreCase', 'aws:RequestedRegion', 'US-EAST-1'), context: { 'aws:RequestedRegion': 'us-east-1' }, expect: 'allow' },
  { name: 'StringNotEqualsIgnoreCase fails for a differently-cased equal value', identity: getWhen('StringNotEqualsIgnoreCase', 'aws:RequestedRegion', 'US-EAST-1'), context: { 'aws:RequestedRegion': 'us-east-1' }, expect: 'implicit' },
  { name: 'StringLike with * matches', identity: getWhen('StringLike', 's3:prefix', 'home/*'), context: { 's3:prefix': 'home/alice/' }, expect: 'allow' },
  { name: 'StringLike with ? matches one character', identity: getWhen('StringLike', 's3:prefix', 'v?'), context: { 's3:prefix': 'v1' }, expect: 'allow' },
  { name: 'StringLike does not match other prefixes', identity: getWhen('StringLike', 's3:prefix', 'home/*'), context: { 's3:prefix': 'public/' }, expect: 'implicit' },
  { name: 'StringLike matches an empty value against ""', identity: getWhen('StringLike', 's3:prefix', ['', 'home/*']), context: { 's3:prefix': '' }, expect: 'allow' },
  { name: 'StringNotLike excludes matching values', identity: getWhen('StringNotLike', 's3:prefix', 'secret/*'), context: { 's3:prefix': 'secret/x' }, expect: 'implicit' },
  { name: 'StringNotLike passes other values', identity: getWhen('StringNotLike', 's3:prefix', 'secret/*'), context: { 's3:prefix': 'public/x' }, expect: 'allow' },
  { name: 'condition key names are case-insensitive', identity: getWhen('StringEquals', 'AWS:REQUESTEDREGION', 'us-east-1'), context: { 'aws:RequestedRegion': 'us-east-1' }, expect: 'allow' },
  { name: 'condition values are case-sensitive', identity: getWhen('StringEquals', 'aws:username', 'Alice'), context: { 'aws:username': 'alice' }, expect: 'implicit' },
  // Numeric operators.
  { name: 'NumericLessThanEquals passes below the limit', identity: getWhen('NumericLessThanEquals', 's3:max-keys', '10'), context: { 's3:max-keys': '5' }, expect: 'allow' },
  { name: 'NumericLessThanEquals passes at the limit', identity: getWhen('NumericLessThanEquals', 's3:max-keys', '10'), context: { 's3:max-keys': '10' }, expect: 'allow' },
  { name: 'NumericLessThanEquals fails above the limit', identity: getWhen('NumericLessThanEquals', 's3:max-keys', '10'), context: { 's3:max-keys': '11' }, expect: 'implicit' },
  { name: 'NumericLessThan fails at the limit', identity: getWhen('NumericLessThan', 's3:max-keys', '10'), context: { 's3:max-keys': '10' }, expect: 'implicit' },
  { name: 'NumericGreaterThan passes above', identity: getWhen('NumericGreaterThan', 's3:max-keys', '10'), context: { 's3:max-keys': '11' }, expect: 'allow' },
  { name: 'NumericGreaterThanEquals passes at', identity: getWhen('NumericGreaterThanEquals', 's3:max-keys', '10'), context: { 's3:max-keys': '10' }, expect: 'allow' },
  { name: 'NumericEquals compares numbers, not strings', identity: getWhen('NumericEquals', 's3:max-keys', '10'), context: { 's3:max-keys': '10.0' }, expect: 'allow' },
  { name: 'NumericNotEquals fails for an equal number', identity: getWhen('NumericNotEquals', 's3:max-keys', '10'), context: { 's3:max-keys': '10' }, expect: 'implicit' },
  { name: 'NumericEquals with a non-number request value fails', identity: getWhen('NumericEquals', 's3:max-keys', '10'), context: { 's3:max-keys': 'ten' }, expect: 'implicit' },
  { name: 'a JSON number as condition value works', identity: getWhen('NumericLessThan', 's3:max-keys', 100), context: { 's3:max-keys': '50' }, expect: 'allow' },
  { name: 'NumericLessThanIfExists passes when missing', identity: getWhen('NumericLessThanIfExists', 's3:max-keys', '10'), expect: 'allow' },
  // Date operators.
  { name: 'DateLessThan passes before the date', identity: getWhen('DateLessThan', 'aws:CurrentTime', '2030-01-01T00:00:00Z'), context: { 'aws:CurrentTime': '2026-06-01T00:00:00Z' }, expect: 'allow' },
  { name: 'DateLessThan fails after the date', identity: getWhen('DateLessThan', 'aws:CurrentTime', '2020-01-01T00:00:00Z'), context: { 'aws:CurrentTime': '2026-06-01T00:00:00Z' }, expect: 'implicit' },
  { name: 'DateGreaterThan passes after the date', identity: getWhen('DateGreaterThan', 'aws:CurrentTime', '2020-01-01T00:00:00Z'), context: { 'aws:CurrentTime': '2026-06-01T00:00:00Z' }, expect: 'allow' },
  { name: 'a date range with two operators', identity: [doc(allow('s3:GetObject', '*', { Condition: { DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' }, DateLessThan: { 'aws:CurrentTime': '2026-12-31T23:59:59Z' } } }))], context: { 'aws:CurrentTime': '2026-06-01T00:00:00Z' }, expect: 'allow' },
  { name: 'a date range excludes a time outside it', identity: [doc(allow('s3:GetObject', '*', { Condition: { DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' }, DateLessThan: { 'aws:CurrentTime': '2026-12-31T23:59:59Z' } } }))], context: { 'aws:CurrentTime': '2027-06-01T00:00:00Z' }, expect: 'implicit' },
  { name: 'dates may be epoch seconds', identity: getWhen('DateGreaterThan', 'aws:EpochTime', '1577836800'), context: { 'aws:EpochTime': '1780000000' }, expect: 'allow' },
  { name: 'a date condition compares dates written differently', identity: getWhen('DateEquals', 'aws:CurrentTime', '2026-06-01T00:00:00Z'), context: { 'aws:CurrentTime': '2026-06-01T00:00:00.000Z' }, expect: 'allow' },
  { name: 'DateNotEquals fails for the same instant', identity: getWhen('DateNotEquals', 'aws:CurrentTime', '2026-06-01T00:00:00Z'), context: { 'aws:CurrentTime': '2026-06-01T00:00:00Z' }, expect: 'implicit' },
  { name: 'DateLessThanEquals passes at the instant', identity: getWhen('DateLessThanEquals', 'aws:CurrentTime', '2026-06-01T00:00:00Z'), context: { 'aws:CurrentTime': '2026-06-01T00:00:00Z' }, expect: 'allow' },
  { name: 'DateGreaterThanEquals fails before', identity: getWhen('DateGreaterThanEquals', 'aws:CurrentTime', '2026-06-01T00:00:00Z'), context: { 'aws:CurrentTime': '2026-05-01T00:00:00Z' }, expect: 'implicit' },
  // Bool and Null.
  { name: 'Bool true matches "true"', identity: getWhen('Bool', 'aws:SecureTransport', 'true'), context: { 'aws:SecureTransport': 'true' }, expect: 'allow' },
  { name: 'Bool true does not match "false"', identity: getWhen('Bool', 'aws:SecureTransport', 'true'), context: { 'aws:SecureTransport': 'false' }, expect: 'implicit' },
  { name: 'Bool accepts a JSON boolean', identity: getWhen('Bool', 'aws:SecureTransport', true), context: { 'aws:SecureTransport': 'true' }, expect: 'allow' },
  { name: 'Bool fails when the key is missing', identity: getWhen('Bool', 'aws:MultiFactorAuthPresent', 'true'), expect: 'implicit' },
  { name: 'BoolIfExists false passes when the key is missing', identity: getWhen('BoolIfExists', 'aws:MultiFactorAuthPresent', 'false'), expect: 'allow' },
  { name: 'Deny with BoolIfExists false denies without MFA', identity: [doc(allow('*'), deny('*', '*', when('BoolIfExists', 'aws:MultiFactorAuthPresent', 'false')))], expect: 'deny:identity' },
  { name: 'Deny with BoolIfExists false spares MFA sessions', identity: [doc(allow('*'), deny('*', '*', when('BoolIfExists', 'aws:MultiFactorAuthPresent', 'false')))], context: { 'aws:MultiFactorAuthPresent': 'true' }, expect: 'allow' },
  { name: 'Null true passes when the key is absent', identity: getWhen('Null', 'aws:TokenIssueTime', 'true'), expect: 'allow' },
  { name: 'Null true fails when the key is present', identity: getWhen('Null', 'aws:TokenIssueTime', 'true'), context: { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' }, expect: 'implicit' },
  { name: 'Null false passes when the key is present', identity: getWhen('Null', 'aws:TokenIssueTime', 'false'), context: { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' }, expect: 'allow' },
  { name: 'Null false fails when the key is absent', identity: getWhen('Null', 'aws:TokenIssueTime', 'false'), expect: 'implicit' },
  { name: 'BinaryEquals compares base64 values', identity: getWhen('BinaryEquals', 'aws:custom', 'QmluYXJ5'), context: { 'aws:custom': 'QmluYXJ5' }, expect: 'allow' },
  // IP addresses.
  { name: 'IpAddress matches an address inside the CIDR', identity: getWhen('IpAddress', 'aws:SourceIp', '203.0.113.0/24'), context: { 'aws:SourceIp': '203.0.113.7' }, expect: 'allow' },
  { name: 'IpAddress does not match outside the CIDR', identity: getWhen('IpAddress', 'aws:SourceIp', '203.0.113.0/24'), context: { 'aws:SourceIp': '198.51.100.7' }, expect: 'implicit' },
  { name: 'IpAddress with a single address', identity: getWhen('IpAddress', 'aws:SourceIp', '127.0.0.1'), context: { 'aws:SourceIp': '127.0.0.1' }, expect: 'allow' },
  { name: 'IpAddress with a list is an OR', identity: getWhen('IpAddress', 'aws:SourceIp', ['10.0.0.0/8', '127.0.0.0/8']), context: { 'aws:SourceIp': '127.0.0.1' }, expect: 'allow' },
  { name: 'IpAddress handles IPv6 ranges', identity: getWhen('IpAddress', 'aws:SourceIp', '2001:db8::/32'), context: { 'aws:SourceIp': '2001:db8::1' }, expect: 'allow' },
  { name: 'an IPv4-mapped IPv6 source matches an IPv4 range', identity: getWhen('IpAddress', 'aws:SourceIp', '127.0.0.0/8'), context: { 'aws:SourceIp': '::ffff:127.0.0.1' }, expect: 'allow' },
  { name: 'NotIpAddress passes outside the range', identity: getWhen('NotIpAddress', 'aws:SourceIp', '10.0.0.0/8'), context: { 'aws:SourceIp': '127.0.0.1' }, expect: 'allow' },
  { name: 'Deny with NotIpAddress blocks other addresses', identity: [doc(allow('*'), deny('*', '*', when('NotIpAddress', 'aws:SourceIp', '10.0.0.0/8')))], context: { 'aws:SourceIp': '127.0.0.1' }, expect: 'deny:identity' },
  { name: 'Deny with NotIpAddress spares the range', identity: [doc(allow('*'), deny('*', '*', when('NotIpAddress', 'aws:SourceIp', '10.0.0.0/8')))], context: { 'aws:SourceIp': '10.1.2.3' }, expect: 'allow' },
  { name: 'an invalid address never matches', identity: getWhen('IpAddress', 'aws:SourceIp', '10.0.0.0/8'), context: { 'aws:SourceIp': 'not-an-ip' }, expect: 'implicit' },
  // ARN operators.
  { name: 'ArnLike matches a wildcard ARN', identity: getWhen('ArnLike', 'aws:PrincipalArn', `arn:aws:iam::${ACCOUNT}:user/*`), context: { 'aws:PrincipalArn': alice.arn }, expect: 'allow' },
  { name: 'ArnLike does not match another account', identity: getWhen('ArnLike', 'aws:PrincipalArn', `arn:aws:iam::${OTHER}:user/*`), context: { 'aws:PrincipalArn': alice.arn }, expect: 'implicit' },
  { name: 'ArnEquals matches the same ARN', identity: getWhen('ArnEquals', 'aws:SourceArn', `arn:aws:sns:us-east-1:${ACCOUNT}:t`), context: { 'aws:SourceArn': `arn:aws:sns:us-east-1:${ACCOUNT}:t` }, expect: 'allow' },
  { name: 'ArnNotEquals fails for the same ARN', identity: getWhen('ArnNotEquals', 'aws:SourceArn', `arn:aws:sns:us-east-1:${ACCOUNT}:t`), context: { 'aws:SourceArn': `arn:aws:sns:us-east-1:${ACCOUNT}:t` }, expect: 'implicit' },
  { name: 'ArnNotLike passes a different ARN', identity: getWhen('ArnNotLike', 'aws:SourceArn', `arn:aws:sns:*:${ACCOUNT}:x*`), context: { 'aws:SourceArn': `arn:aws:sns:us-east-1:${ACCOUNT}:t` }, expect: 'allow' },
  { name: 'ArnLike wildcards do not span segments', identity: getWhen('ArnLike', 'aws:SourceArn', 'arn:aws:sns:*:t'), context: { 'aws:SourceArn': `arn:aws:sns:us-east-1:${ACCOUNT}:t` }, expect: 'implicit' },
  // Several conditions.
  { name: 'two keys in one operator must both match', identity: [doc(allow('s3:GetObject', '*', { Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1', 'aws:username': 'alice' } } }))], context: { 'aws:RequestedRegion': 'us-east-1', 'aws:username': 'bob' }, expect: 'implicit' },
  { name: 'two keys in one operator both matching allows', identity: [doc(allow('s3:GetObject', '*', { Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1', 'aws:username': 'alice' } } }))], context: { 'aws:RequestedRegion': 'us-east-1', 'aws:username': 'alice' }, expect: 'allow' },
  { name: 'two operators must both hold', identity: [doc(allow('s3:GetObject', '*', { Condition: { StringEquals: { 'aws:username': 'alice' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }))], context: { 'aws:username': 'alice', 'aws:SourceIp': '127.0.0.1' }, expect: 'implicit' },
  // Multivalued keys.
  { name: 'ForAllValues passes when every request value is allowed', identity: getWhen('ForAllValues:StringEquals', 'aws:TagKeys', ['env', 'team']), context: { 'aws:TagKeys': ['env'] }, expect: 'allow' },
  { name: 'ForAllValues fails when one request value is not allowed', identity: getWhen('ForAllValues:StringEquals', 'aws:TagKeys', ['env', 'team']), context: { 'aws:TagKeys': ['env', 'cost'] }, expect: 'implicit' },
  { name: 'ForAllValues passes when the key is missing', identity: getWhen('ForAllValues:StringEquals', 'aws:TagKeys', ['env']), expect: 'allow' },
  { name: 'ForAllValues passes for an empty list', identity: getWhen('ForAllValues:StringEquals', 'aws:TagKeys', ['env']), context: { 'aws:TagKeys': [] }, expect: 'allow' },
  { name: 'ForAnyValue passes when one request value matches', identity: getWhen('ForAnyValue:StringEquals', 'aws:TagKeys', ['env']), context: { 'aws:TagKeys': ['team', 'env'] }, expect: 'allow' },
  { name: 'ForAnyValue fails when no request value matches', identity: getWhen('ForAnyValue:StringEquals', 'aws:TagKeys', ['env']), context: { 'aws:TagKeys': ['team'] }, expect: 'implicit' },
  { name: 'ForAnyValue fails when the key is missing', identity: getWhen('ForAnyValue:StringEquals', 'aws:TagKeys', ['env']), expect: 'implicit' },
  { name: 'ForAnyValue:StringLike matches patterns', identity: getWhen('ForAnyValue:StringLike', 'aws:TagKeys', ['cost-*']), context: { 'aws:TagKeys': ['cost-center'] }, expect: 'allow' },
  { name: 'ForAllValues:StringNotEquals fails if a forbidden value is present', identity: getWhen('ForAllValues:StringNotEquals', 'aws:TagKeys', ['owner']), context: { 'aws:TagKeys': ['env', 'owner'] }, expect: 'implicit' },
  { name: 'ForAnyValue:StringNotEquals passes if some value differs', identity: getWhen('ForAnyValue:StringNotEquals', 'aws:TagKeys', ['owner']), context: { 'aws:TagKeys': ['env', 'owner'] }, expect: 'allow' },
  { name: 'Deny ForAnyValue on a forbidden tag key denies', identity: [doc(allow('*'), deny('*', '*', when('ForAnyValue:StringEquals', 'aws:TagKeys', ['owner'])))], context: { 'aws:TagKeys': ['owner'] }, expect: 'deny:identity' },
  { name: 'a multivalued key without a qualifier matches any value', identity: getWhen('StringEquals', 'aws:TagKeys', 'env'), context: { 'aws:TagKeys': ['team', 'env'] }, expect: 'allow' },
  // Principal tags and global keys.
  { name: 'aws:PrincipalTag condition matches the caller tag', identity: getWhen('StringEquals', 'aws:PrincipalTag/team', 'blue'), context: { 'aws:PrincipalTag/team': 'blue' }, expect: 'allow' },
  { name: 'aws:PrincipalTag condition fails for another tag value', identity: getWhen('StringEquals', 'aws:PrincipalTag/team', 'blue'), context: { 'aws:PrincipalTag/team': 'red' }, expect: 'implicit' },
  { name: 'ABAC: resource tag equals principal tag', identity: getWhen('StringEquals', 'aws:ResourceTag/team', '${aws:PrincipalTag/team}'), context: { 'aws:PrincipalTag/team': 'blue', 'aws:ResourceTag/team': 'blue' }, expect: 'allow' },
  { name: 'ABAC: resource tag differs from principal tag', identity: getWhen('StringEquals', 'aws:ResourceTag/team', '${aws:PrincipalTag/team}'), context: { 'aws:PrincipalTag/team': 'blue', 'aws:ResourceTag/team': 'red' }, expect: 'implicit' },
  { name: 'ABAC: a missing principal tag matches nothing', identity: getWhen('StringEquals', 'aws:ResourceTag/team', '${aws:PrincipalTag/team}'), context: { 'aws:ResourceTag/team': 'red' }, expect: 'implicit' },
  { name: 'aws:PrincipalAccount condition', identity: getWhen('StringEquals', 'aws:PrincipalAccount', ACCOUNT), context: { 'aws:PrincipalAccount': ACCOUNT }, expect: 'allow' },
  { name: 'aws:RequestedRegion deny outside allowed regions', identity: [doc(allow('*'), deny('*', '*', when('StringNotEquals', 'aws:RequestedRegion', ['us-east-1', 'us-west-2'])))], context: { 'aws:RequestedRegion': 'eu-west-1' }, expect: 'deny:identity' },
  { name: 'aws:RequestedRegion deny spares allowed regions', identity: [doc(allow('*'), deny('*', '*', when('StringNotEquals', 'aws:RequestedRegion', ['us-east-1', 'us-west-2'])))], context: { 'aws:RequestedRegion': 'us-west-2' }, expect: 'allow' },
  // Permissions boundaries.
  { name: 'a boundary that allows the action lets the identity allow through', identity: [doc(allow('s3:*'))], boundary: doc(allow('s3:GetObject')), expect: 'allow' },
  { name: 'a boundary that does not allow the action blocks it', identity: [doc(allow('s3:*'))], boundary: doc(allow('sqs:*')), expect: 'implicit:boundary' },
  { name: 'a boundary alone grants nothing', boundary: doc(allow('*')), expect: 'implicit:identity' },
  { name: 'an explicit deny in a boundary wins', identity: [doc(allow('*'))], boundary: doc(allow('*'), deny('s3:GetObject')), expect: 'deny:boundary' },
  { name: 'a boundary restricting resources', identity: [doc(allow('s3:*'))], boundary: doc(allow('s3:*', 'arn:aws:s3:::other/*')), expect: 'implicit:boundary' },
  { name: 'a boundary with a condition that holds', identity: [doc(allow('s3:*'))], boundary: doc(allow('s3:*', '*', when('StringEquals', 'aws:RequestedRegion', 'us-east-1'))), context: { 'aws:RequestedRegion': 'us-east-1' }, expect: 'allow' },
  { name: 'a boundary does not limit a resource policy naming the user', boundary: doc(allow('sqs:*')), resource: doc(allow('s3:GetObject', OBJ, { Principal: { AWS: alice.arn } })), expect: 'allow' },
  // Session policies.
  { name: 'a session policy that allows keeps the role permission', principal: session, identity: [doc(allow('s3:*'))], session: [doc(allow('s3:GetObject'))], expect: 'allow' },
  { name: 'a session policy that does not allow blocks the role permission', principal: session, identity: [doc(allow('s3:*'))], session: [doc(allow('s3:PutObject'))], expect: 'implicit:session' },
  { name: 'a session policy alone grants nothing', principal: session, session: [doc(allow('*'))], expect: 'implicit:identity' },
  { name: 'an explicit deny in a session policy wins', principal: session, identity: [doc(allow('*'))], session: [doc(allow('*'), deny('s3:GetObject'))], expect: 'deny:session' },
  { name: 'several session policies: one allowing is enough', principal: session, identity: [doc(allow('s3:*'))], session: [doc(allow('sqs:*')), doc(allow('s3:GetObject'))], expect: 'allow' },
  { name: 'a role session with both boundary and session policy', principal: session, identity: [doc(allow('s3:*'))], boundary: doc(allow('s3:Get*')), session: [doc(allow('s3:*'))], expect: 'allow' },
  { name: 'a role session blocked by its boundary', principal: session, identity: [doc(allow('s3:*'))], boundary: doc(allow('s3:Put*')), session: [doc(allow('s3:*'))], expect: 'implicit:boundary' },
  // Resource-based policies, same account.
  { name: 'a bucket policy naming the user allows without an identity policy', resource: doc(allow('s3:GetObject', OBJ, { Principal: { AWS: alice.arn } })), expect: 'allow' },
  { name: 'a bucket policy naming another user does not allow', resource: doc(allow('s3:GetObject', OBJ, { Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/carol` } })), expect: 'implicit:identity' },
  { name: 'a bucket policy naming the account needs an identity allow too', resource: doc(allow('s3:GetObject', OBJ, { Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } })), expect: 'implicit:identity' },
  { name: 'a bucket policy naming the account by id, with an identity allow', identity: [doc(allow('s3:GetObject'))], resource: doc(allow('s3:GetObject', OBJ, { Principal: { AWS: ACCOUNT } })), expect: 'allow' },
  { name: 'a bucket policy with Principal * allows anyone', resource: doc(allow('s3:GetObject', OBJ, { Principal: '*' })), expect: 'allow' },
  { name: 'a bucket policy with Principal {AWS: *} allows anyone', resource: doc(allow('s3:GetObject', OBJ, { Principal: { AWS: '*' } })), expect: 'allow' },
  { name: 'an explicit deny in a bucket policy beats an identity allow', identity: [doc(allow('s3:*'))], resource: doc(deny('s3:GetObject', OBJ, { Principal: '*' })), expect: 'deny:resource' },
  { name: 'an explicit deny in a bucket policy applies to root', principal: root, resource: doc(deny('s3:GetObject', OBJ, { Principal: '*' })), expect: 'deny:resource' },
  { name: 'a bucket policy deny for another principal does not apply', identity: [doc(allow('s3:*'))], resource: doc(deny('s3:GetObject', OBJ, { Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/carol` } })), expect: 'allow' },
  { name: 'Deny with NotPrincipal denies everyone else', identity: [doc(allow('s3:*'))], resource: doc(deny('s3:*', OBJ, { NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:user/carol` } })), expect: 'deny:resource' },
  { name: 'Deny with NotPrincipal spares the listed principal', identity: [doc(allow('s3:*'))], resource: doc(deny('s3:*', OBJ, { NotPrincipal: { AWS: alice.arn } })), expect: 'allow' },
  { name: 'a resource policy with a failed condition does not allow', resource: doc(allow('s3:GetObject', OBJ, { Principal: '*', ...when('IpAddress', 'aws:SourceIp', '10.0.0.0/8') })), context: { 'aws:SourceIp': '127.0.0.1' }, expect: 'implicit:identity' },
  { name: 'a resource policy deny on insecure transport', identity: [doc(allow('s3:*'))], resource: doc(deny('s3:*', 'arn:aws:s3:::bucket/*', { Principal: '*', ...when('Bool', 'aws:SecureTransport', 'false') })), context: { 'aws:SecureTransport': 'false' }, expect: 'deny:resource' },
  { name: 'a resource policy naming the role allows its sessions', principal: session, resource: doc(allow('s3:GetObject', OBJ, { Principal: { AWS: session.roleArn } })), expect: 'allow' },
  { name: 'a resource policy naming the role is still limited by the session policy', principal: session, session: [doc(allow('sqs:*'))], resource: doc(allow('s3:GetObject', OBJ, { Principal: { AWS: session.roleArn } })), expect: 'implicit:session' },
  { name: 'a resource policy naming the session itself is not limited by the session policy', principal: session, session: [doc(allow('sqs:*'))], resource: doc(allow('s3:GetObject', OBJ, { Principal: { AWS: session.arn } })), expect: 'allow' },
  { name: 'a resource policy for a service principal', principal: lambda, action: 'sqs:SendMessage', resourceArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`, resourceAccount: ACCOUNT, resource: doc(allow('sqs:SendMessage', '*', { Principal: { Service: 'lambda.amazonaws.com' } })), expect: 'allow' },
  { name: 'a resource policy for another service principal does not match', principal: lambda, action: 'sqs:SendMessage', resourceArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`, resourceAccount: ACCOUNT, resource: doc(allow('sqs:SendMessage', '*', { Principal: { Service: 'sns.amazonaws.com' } })), expect: 'implicit:resource' },
  { name: 'aws:SourceArn restricts a service principal', principal: lambda, action: 'sqs:SendMessage', resourceArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`, resourceAccount: ACCOUNT, resource: doc(allow('sqs:SendMessage', '*', { Principal: { Service: 'lambda.amazonaws.com' }, ...when('ArnEquals', 'aws:SourceArn', 'arn:aws:lambda:us-east-1:1:function:f') })), context: { 'aws:SourceArn': 'arn:aws:lambda:us-east-1:1:function:g' }, expect: 'implicit:resource' },
  // Anonymous callers.
  { name: 'anonymous is allowed by a public bucket policy', principal: anonymous, resourceAccount: ACCOUNT, resource: doc(allow('s3:GetObject', 'arn:aws:s3:::bucket/*', { Principal: '*' })), expect: 'allow' },
  { name: 'anonymous is denied without a public policy', principal: anonymous, resourceAccount: ACCOUNT, resource: doc(allow('s3:GetObject', OBJ, { Principal: { AWS: ACCOUNT } })), expect: 'implicit:resource' },
  // Root.
  { name: 'root is allowed without any policy', principal: root, expect: 'allow' },
  { name: 'root is not limited by a boundary', principal: root, boundary: doc(allow('sqs:*')), expect: 'allow' },
  // Cross-account.
  { name: 'cross-account: identity allow alone is not enough', principal: bob, identity: [doc(allow('s3:GetObject'))], resourceAccount: ACCOUNT, expect: 'implicit:resource' },
  { name: 'cross-account: resource allow alone is not enough', principal: bob, resourceAccount: ACCOUNT, resource: doc(allow('s3:GetObject', OBJ, { Principal: { AWS: bob.arn } })), expect: 'implicit:identity' },
  { name: 'cross-account: both allowing allows', principal: bob, identity: [doc(allow('s3:GetObject'))], resourceAccount: ACCOUNT, resource: doc(allow('s3:GetObject', OBJ, { Principal: { AWS: bob.arn } })), expect: 'allow' },
  { name: 'cross-account: the resource policy may name the other account', principal: bob, identity: [doc(allow('s3:GetObject'))], resourceAccount: ACCOUNT, resource: doc(allow('s3:GetObject', OBJ, { Principal: { AWS: `arn:aws:iam::${OTHER}:root` } })), expect: 'allow' },
  { name: 'cross-account: a deny in the resource policy wins', principal: bob, identity: [doc(allow('s3:GetObject'))], resourceAccount: ACCOUNT, resource: doc(allow('s3:GetObject', OBJ, { Principal: { AWS: OTHER } }), deny('s3:GetObject', OBJ, { Principal: { AWS: bob.arn } })), expect: 'deny:resource' },
  { name: 'cross-account: a deny in the identity policy wins', principal: bob, identity: [doc(allow('s3:*'), deny('s3:GetObject'))], resourceAccount: ACCOUNT, resource: doc(allow('s3:GetObject', OBJ, { Principal: { AWS: OTHER } })), expect: 'deny:identity' },
  { name: 'cross-account: the other account root needs a resource allow', principal: { kind: 'root', arn: `arn:aws:iam::${OTHER}:root`, account: OTHER }, resourceAccount: ACCOUNT, expect: 'implicit:resource' },
  { name: 'cross-account: the other account root allowed by the resource policy', principal: { kind: 'root', arn: `arn:aws:iam::${OTHER}:root`, account: OTHER }, resourceAccount: ACCOUNT, resource: doc(allow('s3:GetObject', OBJ, { Principal: { AWS: OTHER } })), expect: 'allow' },
  { name: 'cross-account: a boundary still limits the caller', principal: bob, identity: [doc(allow('s3:*'))], boundary: doc(allow('sqs:*')), resourceAccount: ACCOUNT, resource: doc(allow('s3:GetObject', OBJ, { Principal: { AWS: bob.arn } })), expect: 'implicit:boundary' },
  { name: 'cross-account: Principal * grants the other account with an identity allow', principal: bob, identity: [doc(allow('s3:GetObject'))], resourceAccount: ACCOUNT, resource: doc(allow('s3:GetObject', OBJ, { Principal: '*' })), expect: 'allow' },
  // Trust policies (resource policies of roles).
  { name: 'a trust policy naming the user lets it assume the role', action: 'sts:AssumeRole', resourceArn: `arn:aws:iam::${ACCOUNT}:role/app`, resource: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole' }] }, expect: 'allow' },
  { name: 'a trust policy for a service does not let a user assume the role', action: 'sts:AssumeRole', resourceArn: `arn:aws:iam::${ACCOUNT}:role/app`, resourceRequired: true, identity: [doc(allow('sts:AssumeRole'))], resource: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }, expect: 'implicit:resource' },
  { name: 'a trust policy naming the account lets a user with an identity allow assume the role', action: 'sts:AssumeRole', resourceArn: `arn:aws:iam::${ACCOUNT}:role/app`, resourceRequired: true, identity: [doc(allow('sts:AssumeRole'))], resource: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }] }, expect: 'allow' },
  { name: 'a trust policy naming the account is not enough without an identity allow', action: 'sts:AssumeRole', resourceArn: `arn:aws:iam::${ACCOUNT}:role/app`, resourceRequired: true, resource: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }] }, expect: 'implicit:identity' },
  { name: 'a trust policy with an external id condition that matches', action: 'sts:AssumeRole', resourceArn: `arn:aws:iam::${ACCOUNT}:role/app`, context: { 'sts:ExternalId': 'abc' }, resource: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole', ...when('StringEquals', 'sts:ExternalId', 'abc') }] }, expect: 'allow' },
  { name: 'a trust policy with an external id condition that does not match', action: 'sts:AssumeRole', resourceArn: `arn:aws:iam::${ACCOUNT}:role/app`, context: { 'sts:ExternalId': 'xyz' }, resource: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole', ...when('StringEquals', 'sts:ExternalId', 'abc') }] }, expect: 'implicit:identity' },
];

function decide(c: Case) {
  const parse = (d: Doc, kind: PolicyKind) => parsePolicy(JSON.stringify(d), kind);
  const principal = c.principal ?? alice;
  const req: AuthorizationRequest = {
    principal,
    action: c.action ?? 's3:GetObject',
    resource: c.resourceArn ?? OBJ,
    ...(c.resourceAccount ? { resourceAccount: c.resourceAccount } : {}),
    ...(c.resourceRequired ? { resourceRequired: true } : {}),
    context: contextOf(c.context ?? {}),
  };
  return evaluate(req, {
    identity: (c.identity ?? []).map((d) => parse(d, 'identity')),
    boundary: c.boundary ? parse(c.boundary, 'identity') : undefined,
    session: c.session?.map((d) => parse(d, 'identity')),
    resource: c.resource ? parse(c.resource, c.resource['Statement'] && (c.resource['Statement'] as Doc[]).some((s) => !s['Resource']) ? 'trust' : 'resource') : undefined,
  });
}

function summary(d: ReturnType<typeof decide>): string {
  if (d.allowed) return 'allow';
  return d.reason === 'explicit-deny' ? `deny:${d.deniedBy}` : `implicit:${d.missing}`;
}

describe('policy evaluation (IAM User Guide behaviours)', () => {
  it('has at least 150 cases', () => assert.ok(cases.length >= 150, `${cases.length} cases`));
  for (const c of cases) {
    it(c.name, () => {
      const got = summary(decide(c));
      if (c.expect === 'implicit' || c.expect === 'deny') assert.ok(got.startsWith(c.expect), `${got} is not ${c.expect}`);
      else assert.equal(got, c.expect);
    });
  }
});

const malformed: [string, PolicyKind, unknown, string][] = [
  ['text that is not JSON', 'identity', '{"Version":', 'This policy contains invalid Json'],
  ['a JSON array', 'identity', [], 'This policy contains invalid Json'],
  ['an unknown top-level element', 'identity', { Version: '2012-10-17', Statement: [allow('s3:*')], Foo: 1 }, 'Syntax errors in policy.'],
  ['an unknown version', 'identity', { Version: '2012-10-18', Statement: [allow('s3:*')] }, 'The policy failed legacy parsing'],
  ['no Statement', 'identity', { Version: '2012-10-17' }, 'Syntax errors in policy.'],
  ['a statement without actions', 'identity', doc({ Effect: 'Allow', Resource: '*' }), 'Policy statement must contain actions.'],
  ['an identity statement without resources', 'identity', doc({ Effect: 'Allow', Action: 's3:*' }), 'Policy statement must contain resources.'],
  ['an action without a service prefix', 'identity', doc(allow('GetObject')), 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
  ['an invalid effect', 'identity', doc({ Effect: 'Permit', Action: 's3:*', Resource: '*' }), 'Invalid effect: Permit'],
  ['a missing effect', 'identity', doc({ Action: 's3:*', Resource: '*' }), 'Missing required field Effect'],
  ['a resource that is not an ARN', 'identity', doc(allow('s3:*', 'bucket')), 'Resource bucket must be in ARN format or "*".'],
  ['a principal in an identity policy', 'identity', doc(allow('s3:*', '*', { Principal: '*' })), 'Policy document should not specify a principal.'],
  ['a trust policy without a principal', 'trust', doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }), 'Missing required field Principal'],
  ['a trust policy with a resource', 'trust', doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: ACCOUNT }, Resource: '*' }), 'Has prohibited field Resource'],
  ['an invalid principal', 'resource', doc(allow('s3:*', '*', { Principal: { AWS: 'bob' } })), 'Invalid principal in policy: "AWS":"bob"'],
  ['an unknown principal type', 'resource', doc(allow('s3:*', '*', { Principal: { Human: 'bob' } })), 'Invalid principal in policy: "Human"'],
  ['an unknown condition operator', 'identity', doc(allow('s3:*', '*', when('StringEqualz', 'aws:username', 'a'))), 'Invalid Condition type : StringEqualz.'],
  ['a condition key without a prefix', 'identity', doc(allow('s3:*', '*', when('StringEquals', 'username', 'a'))), 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
  ['duplicate statement ids', 'identity', doc(allow('s3:*', '*', { Sid: 'A' }), allow('sqs:*', '*', { Sid: 'A' })), 'Statement IDs (SID) in a single policy must be unique.'],
  ['a statement id with punctuation', 'identity', doc(allow('s3:*', '*', { Sid: 'a-b' })), 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*'],
  ['an unknown statement element', 'identity', doc(allow('s3:*', '*', { Effects: 'Allow' })), 'Syntax errors in policy.'],
  ['both Action and NotAction', 'identity', doc(allow('s3:*', '*', { NotAction: 'iam:*' })), 'Syntax errors in policy.'],
  ['an empty action list', 'identity', doc(allow([], '*')), 'Syntax errors in policy.'],
  ['IfExists on Null', 'identity', doc(allow('s3:*', '*', when('NullIfExists', 'aws:username', 'true'))), 'Invalid Condition type : NullIfExists.'],
];

describe('policy validation (MalformedPolicyDocument reasons)', () => {
  for (const [what, kind, document, message] of malformed) {
    it(`rejects ${what}`, () => {
      const text = typeof document === 'string' ? document : JSON.stringify(document);
      assert.throws(() => parsePolicy(text, kind), (e: any) => e.code === 'MalformedPolicyDocument' && e.message === message);
    });
  }

  it('accepts a policy with Sid, conditions, NotResource and a 2008 version', () => {
    const p = parsePolicy(JSON.stringify({ Version: '2008-10-17', Statement: [{ Sid: 'S1', Effect: 'Deny', Action: ['s3:*'], NotResource: ['arn:aws:s3:::a/*'], Condition: { 'ForAnyValue:StringLikeIfExists': { 'aws:TagKeys': ['x*'] } } }] }), 'identity');
    assert.equal(p.statements.length, 1);
    assert.equal(p.statements[0]!.sid, 'S1');
  });
});

describe('policy evaluation properties', () => {
  const action = fc.constantFrom('s3:GetObject', 's3:PutObject', 'sqs:SendMessage', 'iam:GetUser', 'dynamodb:Query');
  const pattern = fc.constantFrom('*', 's3:*', 's3:Get*', 'sqs:*', 's3:*Object', 'iam:Get?ser', 'dynamodb:Query');
  it('a deny mirroring any allow always wins', () => {
    fc.assert(fc.property(action, fc.array(pattern, { minLength: 1, maxLength: 4 }), (a, patterns) => {
      const d = decide({ name: '', action: a, identity: [doc(allow(patterns)), doc(deny(patterns))], expect: 'deny' });
      return d.allowed === false;
    }));
  });
  it('adding an allow policy never turns an allow into a deny', () => {
    fc.assert(fc.property(action, pattern, pattern, (a, p1, p2) => {
      const one = decide({ name: '', action: a, identity: [doc(allow(p1))], expect: 'allow' });
      const two = decide({ name: '', action: a, identity: [doc(allow(p1)), doc(allow(p2))], expect: 'allow' });
      return !one.allowed || two.allowed;
    }));
  });
  it('a boundary never widens what the identity policies allow', () => {
    fc.assert(fc.property(action, pattern, pattern, (a, p1, p2) => {
      const without = decide({ name: '', action: a, identity: [doc(allow(p1))], expect: 'allow' });
      const withBoundary = decide({ name: '', action: a, identity: [doc(allow(p1))], boundary: doc(allow(p2)), expect: 'allow' });
      return without.allowed || !withBoundary.allowed;
    }));
  });
  it('one policy asked about many actions in turn reads exactly the statements each action names', () => {
    const statement = fc.record({ effect: fc.constantFrom('Allow', 'Deny'), not: fc.boolean(), patterns: fc.array(pattern, { minLength: 1, maxLength: 3 }) })
      .map(({ effect, not, patterns }) => ({ Effect: effect, [not ? 'NotAction' : 'Action']: patterns, Resource: '*' }));
    fc.assert(fc.property(fc.array(statement, { minLength: 1, maxLength: 6 }), fc.array(action, { minLength: 1, maxLength: 12 }), (statements, actions) => {
      // The same compiled policy throughout, as the gateway keeps it between requests.
      const policy = parsePolicy(JSON.stringify(doc(...statements)), 'identity');
      return actions.every((a) => {
        const req: AuthorizationRequest = { principal: alice, action: a, resource: OBJ, context: contextOf({}) };
        const read = evaluate(req, { identity: [policy] }).matched.map((m) => m.index);
        // Every statement has Resource "*" and no condition: its Action or NotAction alone decides.
        const expected = statements.flatMap((st, i) => {
          const named = ((st['Action'] ?? st['NotAction']) as string[]).some((p) => glob(p, true)(a));
          return (st['Action'] ? named : !named) ? [i] : [];
        });
        return JSON.stringify(read) === JSON.stringify(expected);
      });
    }));
  });
  it('ARN patterns match segment by segment, the resource part spanning colons', () => {
    // ARNs of four to eight segments; patterns made from them, each segment kept, a wildcard or other text.
    const segment = fc.array(fc.constantFrom('a', 'b', '/'), { maxLength: 3 }).map((a) => a.join(''));
    const arnAndPattern = fc.array(segment, { minLength: 4, maxLength: 8 }).chain((parts) => fc.tuple(
      fc.constant(parts.join(':')),
      fc.tuple(...parts.map((part) => fc.oneof({ arbitrary: fc.constant(part), weight: 4 }, { arbitrary: fc.constantFrom('*', '?', 'a*', '*b'), weight: 1 }, { arbitrary: segment, weight: 1 }))).map((ps) => ps.join(':')),
    ));
    const segments = (arn: string) => {
      const parts = arn.split(':');
      return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
    };
    fc.assert(fc.property(arnAndPattern, ([arn, p]) => {
      const ps = segments(p);
      const as = segments(arn);
      const expected = p === '*' || (ps !== undefined && as !== undefined && ps.every((seg, i) => glob(seg)(as[i]!)));
      return arnMatcher(p)(arn) === expected;
    }), { numRuns: 500 });
  });
  it('wildcard patterns match as a whole-string expression would, with and without case', () => {
    const text = (chars: string[]) => fc.array(fc.constantFrom(...chars), { maxLength: 8 }).map((a) => a.join(''));
    const toRegExp = (p: string, ignoreCase: boolean) =>
      new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, ignoreCase ? 'si' : 's');
    fc.assert(fc.property(text(['s', 'S', '3', ':', 'g', 'G', '*', '?', 'é', 'É']), text(['s', 'S', '3', ':', 'g', 'G', 'é', 'É']), fc.boolean(), (p, v, ignoreCase) =>
      glob(p, ignoreCase)(v) === toRegExp(p, ignoreCase).test(v)));
  });
});
