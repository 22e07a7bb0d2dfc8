import type { Operations } from '../../generated/types/dynamodb.js';
import { parseArn } from '../../arn.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext } from '../service.js';
import { checkTableName, findTable, saveTable, tableNameOf, type Table } from './table.js';
import { groupMembers } from './replicas.js';
import { refreshExpiries } from './ttl.js';

/** Table settings beside the description: tags, time to live, account limits, endpoints. */
const invalid = (m: string) => new AwsError('ValidationException', m);

/** The parts of a table ARN, or the ValidationException DynamoDB answers a malformed one with. */
function tableArn(arn: string): NonNullable<ReturnType<typeof parseArn>> {
  // As DynamoDB answers resource-policy requests (policies.ts): a bare name, and an index's ARN,
  // are refused in their own words; an index has no tags of its own.
  if (!arn.startsWith('arn:')) throw invalid(`One or more parameter values were invalid: ARNs must start with 'arn:': ${arn}`);
  const a = parseArn(arn);
  const sub = a?.resource.split('/')[2];
  if (sub === 'index') throw invalid(`One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: ${arn}`);
  // A backup's, export's or import's ARN, or another service's, names nothing that has tags.
  if (!a || a.service !== 'dynamodb' || !a.resource.startsWith('table/') || (sub !== undefined && sub !== 'stream')) {
    throw invalid(`One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: ${arn}`);
  }
  return a;
}

/** A table's most tags, and the words for more (TagResource, UntagResource and CreateTable alike). */
const MAX_TAGS = 50;
const TOO_MANY_TAGS = 'Number of Tags exceed the current limit for the provided ResourceArn';
/** AWS's tag rule: letters, digits and spaces of any script, and `_ . : / = + - @`; 1-128 characters for a key, up to 256 for a value. */
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/**
 * The tags of a TagResource or CreateTable request as a map, or the ValidationException DynamoDB
 * answers the first bad one with; a request with one bad tag applies none.
 */
export function checkTags(tags: readonly { Key?: string; Value?: string }[], existing: Record<string, string> = {}): Record<string, string> {
  // No prototype: a tag may be named __proto__.
  const out: Record<string, string> = Object.create(null);
  for (const { Key: key, Value: value } of tags) {
    if (key === undefined || key === null || !TAG_KEY.test(key)) throw invalid(`The Tag Key provided is invalid, Key: ${key ?? null}`);
    if (key.startsWith('aws:')) throw invalid(`Tag Key cannot be prefixed with aws:, Key: ${key}`);
    if (value === undefined || value === null || !TAG_VALUE.test(value)) throw invalid(`The Tag Value provided is invalid, Value: ${value ?? null}`);
    if (Object.hasOwn(out, key)) throw invalid(`Duplicate Tag Keys provided as input: Duplicate Tag Key found ${key}`);
    out[key] = value;
  }
  if (Object.keys({ ...existing, ...out }).length > MAX_TAGS) throw invalid(TOO_MANY_TAGS);
  return out;
}

function tableByArn(ctx: RequestContext, arn: string): Table {
  const a = tableArn(arn);
  if (a.region !== ctx.region) throw invalid(`Invalid TableArn: Invalid ResourceArn provided as input ${arn}`);
  const t = a.account === ctx.accountId ? findTable(ctx, a.resource.slice(6)) : undefined;
  if (!t) throw new AwsError('ResourceNotFoundException', `Requested resource not found: ResourcArn: ${arn} not found`);
  return t;
}

function ttlTable(ctx: RequestContext, name: string): Table {
  checkTableName(name);
  const t = findTable(ctx, name);
  if (!t) throw new AwsError('ResourceNotFoundException', `Requested resource not found: Table: ${tableNameOf(name)} not found`);
  return t;
}

export const settingsHandlers: Handlers<Operations> = {
  // DynamoDB's validator leaves the ARN and the tags to these checks, in this order (src/protocols/validate.ts).
  TagResource(input, ctx) {
    if (input.ResourceArn === undefined) throw invalid('Invalid TableArn');
    if (input.Tags === undefined) throw invalid("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
    tableArn(input.ResourceArn);
    if (input.Tags.length === 0) throw invalid('Atleast one Tag needs to be provided as Input.');
    const t = tableByArn(ctx, input.ResourceArn);
    t.tags = { ...t.tags, ...checkTags(input.Tags, t.tags) };
    saveTable(ctx, t);
  },

  UntagResource(input, ctx) {
    if (input.ResourceArn === undefined) throw invalid('Invalid TableArn');
    if (input.TagKeys === undefined) throw invalid("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
    tableArn(input.ResourceArn);
    if (input.TagKeys.length === 0) throw invalid('Atleast one Tag Key needs to be provided as Input.');
    for (const key of input.TagKeys) if (!TAG_KEY.test(key ?? '')) throw invalid(`The Tag Key provided is invalid, Key: ${key ?? null}`);
    if (input.TagKeys.length > MAX_TAGS) throw invalid(TOO_MANY_TAGS);
    const t = tableByArn(ctx, input.ResourceArn);
    for (const key of input.TagKeys) delete t.tags[key];
    saveTable(ctx, t);
  },

  ListTagsOfResource(input, ctx) {
    if (input.ResourceArn === undefined) throw invalid('Invalid TableArn');
    const t = tableByArn(ctx, input.ResourceArn);
    return { Tags: Object.entries(t.tags).map(([Key, Value]) => ({ Key, Value })) };
  },

  UpdateTimeToLive(input, ctx) {
    const t = ttlTable(ctx, input.TableName);
    const spec = input.TimeToLiveSpecification;
    if (t.ttlAttribute && spec.AttributeName !== t.ttlAttribute) throw invalid(`TimeToLive is active on a different AttributeName: current AttributeName is ${t.ttlAttribute}`);
    if (spec.Enabled && t.ttlAttribute) throw invalid('TimeToLive is already enabled');
    if (!spec.Enabled && !t.ttlAttribute) throw invalid('TimeToLive is already disabled');
    // A global table's TTL setting is one for all its replicas.
    const group: [RequestContext, Table][] = [[ctx, t], ...groupMembers(ctx, t)];
    ctx.db.transaction(() => {
      for (const [mctx, m] of group) {
        m.ttlAttribute = spec.Enabled ? spec.AttributeName : undefined;
        saveTable(mctx, m);
        refreshExpiries(mctx, m);
      }
    })();
    return { TimeToLiveSpecification: spec };
  },

  DescribeTimeToLive(input, ctx) {
    const t = ttlTable(ctx, input.TableName);
    return { TimeToLiveDescription: t.ttlAttribute ? { TimeToLiveStatus: 'ENABLED', AttributeName: t.ttlAttribute } : { TimeToLiveStatus: 'DISABLED' } };
  },

  // DynamoDB's default quotas: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
  DescribeLimits: () => ({ AccountMaxReadCapacityUnits: 80000, AccountMaxWriteCapacityUnits: 80000, TableMaxReadCapacityUnits: 40000, TableMaxWriteCapacityUnits: 40000 }),

  // Endpoint discovery points clients back at this Nimbus, not at AWS.
  DescribeEndpoints: (_input, ctx) => ({ Endpoints: [{ Address: new URL(ctx.endpoint).host, CachePeriodInMinutes: 1440 }] }),
};
