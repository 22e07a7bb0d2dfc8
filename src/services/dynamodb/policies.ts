import type { Operations, TableDescription } from '../../generated/types/dynamodb.js';
import { parseArn } from '../../arn.js';
import { evaluate, type RequestPrincipal } from '../../iam/evaluate.js';
import { contextOf, glob } from '../../iam/match.js';
import { parsePolicy, type Policy, type Statement } from '../../iam/policy.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handler, Handlers, RequestContext, ResourceFacts, ServiceEnv } from '../service.js';
import { conditionKeys } from './access.js';
import { findTable, type Table } from './table.js';

/**
 * Resource-based policies of tables and streams. A table and each of its streams hold a policy of
 * their own (a table's covers its indexes), with a revision id that only a changed document moves.
 * Under IAM enforcement the gateway reads them through `resourceFacts`, as it reads bucket and
 * queue policies. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/access-control-resource-based.html
 */
export const policyMigrations = [{
  id: 'dynamodb/005-resource-policies',
  sql: `
    CREATE TABLE dynamodb_resource_policies (
      resource_arn TEXT PRIMARY KEY, table_id TEXT NOT NULL, policy TEXT NOT NULL, revision_id TEXT NOT NULL);
    CREATE INDEX dynamodb_resource_policies_table ON dynamodb_resource_policies (table_id);
  `,
}];

/** "The maximum size supported for a resource-based policy document is 20 KB", whitespace counted. */
const MAX_POLICY_BYTES = 20 * 1024;

const paramInvalid = (m: string) => new AwsError('ValidationException', `One or more parameter values were invalid: ${m}`);

interface Target {
  arn: string;
  table: Table;
  kind: 'table' | 'stream';
}

interface StoredPolicy { policy: string; revision_id: string }

function statements(env: ServiceEnv) {
  return env.memory('dynamodb.policy-statements', () => ({
    get: env.db.prepare('SELECT policy, revision_id FROM dynamodb_resource_policies WHERE resource_arn = ?'),
    put: env.db.prepare(`INSERT INTO dynamodb_resource_policies (resource_arn, table_id, policy, revision_id) VALUES (?, ?, ?, ?)
      ON CONFLICT (resource_arn) DO UPDATE SET policy = excluded.policy, revision_id = excluded.revision_id`),
    del: env.db.prepare('DELETE FROM dynamodb_resource_policies WHERE resource_arn = ?'),
    table: env.db.prepare('SELECT tags, description FROM dynamodb_tables WHERE account_id = ? AND region = ? AND name = ?'),
  }));
}

/** The table or stream a ResourceArn names, checked in the order and words DynamoDB uses. */
function target(ctx: RequestContext, arn: string): Target {
  if (!arn.startsWith('arn:')) throw paramInvalid(`ARNs must start with 'arn:': ${arn}`);
  const a = parseArn(arn);
  if (!a || a.partition !== 'aws' || a.service !== 'dynamodb' || a.region !== ctx.region || !a.resource.startsWith('table/')) throw paramInvalid(`Invalid resource Arn: ${arn}`);
  if (a.account !== ctx.accountId) throw new AwsError('ValidationException', 'This action is only supported by accounts that match the resource owner’s account.');
  const [, name, sub, label, ...rest] = a.resource.split('/');
  if (sub === 'index') throw paramInvalid(`Invalid resource arn provided, only table or stream is accepted. Provided resource arn: ${arn}`);
  if ((sub !== undefined && sub !== 'stream') || (sub === 'stream' && !label) || rest.length) throw paramInvalid(`Provided Arn is not a DynamoDB resource arn: ${arn}`);
  const table = findTable(ctx, name!);
  if (!table) throw new AwsError('ResourceNotFoundException', `Requested resource not found: Table: ${name} not found`);
  if (sub === 'stream' && table.description.LatestStreamArn !== arn) {
    throw new AwsError('ResourceNotFoundException', `Requested resource not found: Stream: ${label} not found for Table: ${name}`);
  }
  return { arn, table, kind: sub === 'stream' ? 'stream' : 'table' };
}

/**
 * The actions a table's policy may name ("DynamoDB API operations supported by resource-based
 * policies"; PartiQL's APIs are authorized by its four PartiQL actions, transactions' condition
 * checks by ConditionCheckItem), and a stream's. DynamoDB refuses a policy naming any other:
 * stream actions in a table's policy, RestoreTableFromBackup (whose resource is a backup).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/rbac-iam-actions.html
 */
const TABLE_ACTIONS = ['DeleteItem', 'GetItem', 'PutItem', 'Query', 'Scan', 'UpdateItem', 'ConditionCheckItem', 'TransactGetItems', 'TransactWriteItems',
  'BatchGetItem', 'BatchWriteItem', 'PartiQLSelect', 'PartiQLInsert', 'PartiQLUpdate', 'PartiQLDelete', 'DeleteTable', 'DescribeTable', 'UpdateTable',
  'DescribeTableReplicaAutoScaling', 'UpdateTableReplicaAutoScaling', 'ListTagsOfResource', 'TagResource', 'UntagResource', 'CreateBackup',
  'DescribeContinuousBackups', 'RestoreTableToPointInTime', 'UpdateContinuousBackups', 'DescribeContributorInsights', 'UpdateContributorInsights',
  'ExportTableToPointInTime', 'DescribeKinesisStreamingDestination', 'DisableKinesisStreamingDestination', 'EnableKinesisStreamingDestination',
  'UpdateKinesisStreamingDestination', 'GetResourcePolicy', 'PutResourcePolicy', 'DeleteResourcePolicy', 'DescribeTimeToLive', 'UpdateTimeToLive'].map((a) => `dynamodb:${a}`);
const STREAM_ACTIONS = ['DescribeStream', 'GetRecords', 'GetShardIterator', 'GetResourcePolicy', 'PutResourcePolicy', 'DeleteResourcePolicy'].map((a) => `dynamodb:${a}`);

/**
 * Condition keys that keep a statement with a `*` principal from being public, when their values
 * hold no wildcard or variable (Block Public Access).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/rbac-bpa-rbp.html
 */
const TRUSTED_KEYS = new Set(['aws:principalaccount', 'aws:principalarn', 'aws:principalorgid', 'aws:principalorgpaths', 'aws:sourceaccount', 'aws:sourcearn',
  'aws:sourcevpc', 'aws:sourcevpce', 'aws:userid', 'aws:principalservicename', 'aws:principalservicenameslist', 'aws:principalisawsservice',
  'aws:ec2instancesourcevpc', 'aws:sourceorgid', 'aws:sourceorgpaths']);

/** A policy document as PutResourcePolicy and CreateTable accept it: within 20 KB, and a valid resource policy. */
export function checkPolicy(document: string, resourceArn: string): Policy {
  if (Buffer.byteLength(document) > MAX_POLICY_BYTES) throw paramInvalid(`Maximum policy size of ${MAX_POLICY_BYTES} bytes exceeded`);
  const bad = (m: string) => paramInvalid(`Invalid policy document: ${m}`);
  // What DynamoDB says in words of its own, before IAM's checks.
  let raw: unknown;
  try {
    raw = JSON.parse(document);
  } catch {
    raw = undefined;
  }
  if (raw === null) throw bad('This text appears not to be a policy');
  if (typeof raw === 'object' && !Array.isArray(raw)) {
    if (Object.keys(raw).length === 0 && !document.includes('\n')) throw bad(`Syntax error at position (1,${document.trimEnd().length + 1})`);
    const statement = (raw as { Statement?: unknown }).Statement;
    if (Array.isArray(statement) && statement.length === 0) throw bad('Could not parse the policy: Statement is empty!');
  }
  let policy: Policy;
  try {
    policy = parsePolicy(document, 'resource', resourceArn);
  } catch (e) {
    if (e instanceof AwsError) throw bad(DYNAMODB_WORDS[e.message] ?? e.message);
    throw e;
  }
  const allowed = resourceArn.includes('/stream/') ? STREAM_ACTIONS : TABLE_ACTIONS;
  const invalidActions = policy.statements.flatMap((st) => st.action ?? []).filter((a) => !allowed.some(glob(a, true)));
  if (invalidActions.length) throw bad(`The following action names are invalid: ${[...new Set(invalidActions)].map((a) => `"${a}"`).join(', ')}`);
  if (policy.statements.some(isPublic)) {
    throw new AwsError('ValidationException', 'Resource-based policy grants unbounded access in one or more elements. Please revise the policy to ensure least-privilege form of access');
  }
  return policy;
}

/** IAM's reasons that DynamoDB words otherwise. */
const DYNAMODB_WORDS: Record<string, string> = {
  'Policy statement must contain resources.': 'Missing required field Resource',
  'Statement IDs (SID) in a single policy must be unique.': 'The Statement Ids in the policy are not unique',
};

/** An Allow for anyone (`*`) that no trusted condition key narrows to named principals or sources. */
function isPublic(st: Statement): boolean {
  if (st.effect !== 'Allow' || st.principal === undefined) return false;
  const anyone = st.principal === '*' || Object.values(st.principal).some((ids) => ids.includes('*'));
  if (!anyone) return false;
  return !st.condition.some((c) => TRUSTED_KEYS.has(c.keyLower) && !c.variables && c.values.every((v) => !/[*?]/.test(v))
    && (c.keyLower !== 'aws:principalisawsservice' || c.values.every((v) => v === 'true')));
}

/** Revision ids are the time of the change in milliseconds, always later than the one they replace. */
function nextRevision(ctx: RequestContext, current: StoredPolicy | undefined): string {
  const now = ctx.clock.now();
  return String(current && Number(current.revision_id) >= now ? Number(current.revision_id) + 1 : now);
}

export function savePolicy(ctx: RequestContext, resourceArn: string, table: Table, document: string, current?: StoredPolicy): string {
  const revision = nextRevision(ctx, current);
  statements(ctx).put.run(resourceArn, table.id, document, revision);
  return revision;
}

/** DeleteTable removes the table's policy and its streams'. */
export function dropPolicies(ctx: RequestContext, t: Table): void {
  ctx.db.prepare('DELETE FROM dynamodb_resource_policies WHERE table_id = ?').run(t.id);
}

/** ExpectedRevisionId: the current policy's revision, or NO_POLICY when none may exist yet. */
function checkRevision(t: Target, current: StoredPolicy | undefined, expected: string | undefined): void {
  if (expected === undefined) return;
  const prefix = 'Resource-based policy not found for the provided ResourceArn: ';
  if (expected === 'NO_POLICY') {
    if (current) throw new AwsError('PolicyNotFoundException', `${prefix}Requested policy update expecting none to be present for table ${t.table.name}, but a policy exists with revision id ${current.revision_id}.`);
    return;
  }
  if (!current) throw new AwsError('PolicyNotFoundException', `${prefix}${t.arn}`);
  if (current.revision_id !== expected) {
    throw new AwsError('PolicyNotFoundException', `${prefix}Requested update for policy with revision id ${expected}, but the policy associated to target table ${t.table.name} has revision id ${current.revision_id}.`);
  }
}

/**
 * Whether the new document explicitly denies its author dynamodb:PutResourcePolicy: DynamoDB refuses
 * such a lockout unless ConfirmRemoveSelfResourceAccess is true.
 */
function locksOut(ctx: RequestContext, policy: Policy, arn: string, owner: string): boolean {
  const c = ctx.caller;
  if (c.kind === 'anonymous') return false;
  const roleArn = c.kind === 'assumed-role' ? c.session?.roleArn : undefined;
  const principal: RequestPrincipal = { kind: c.kind, arn: c.arn, account: c.accountId, ...(roleArn ? { roleArn } : {}) };
  const context = contextOf({ 'aws:PrincipalArn': roleArn ?? c.arn, 'aws:PrincipalAccount': c.accountId, 'aws:userid': c.userId, 'aws:ResourceAccount': owner });
  const d = evaluate({ principal, action: 'dynamodb:PutResourcePolicy', resource: arn, resourceAccount: owner, context }, { identity: [], resource: policy });
  return !d.allowed && d.reason === 'explicit-deny';
}

export const policyHandlers: Handlers<Operations> = {
  PutResourcePolicy(input, ctx) {
    const t = target(ctx, input.ResourceArn);
    const policy = checkPolicy(input.Policy, t.arn);
    const current = statements(ctx).get.get(t.arn) as StoredPolicy | undefined;
    checkRevision(t, current, input.ExpectedRevisionId);
    if (!input.ConfirmRemoveSelfResourceAccess && locksOut(ctx, policy, t.arn, t.table.accountId)) {
      throw new AwsError('AccessDeniedException', 'The new resource policy will not allow you to update the resource policy in the future.');
    }
    // The same document again changes nothing, and keeps its revision.
    if (current?.policy === input.Policy) return { RevisionId: current.revision_id };
    return { RevisionId: savePolicy(ctx, t.arn, t.table, input.Policy, current) };
  },

  GetResourcePolicy(input, ctx) {
    const t = target(ctx, input.ResourceArn);
    const current = statements(ctx).get.get(t.arn) as StoredPolicy | undefined;
    if (!current) throw new AwsError('PolicyNotFoundException', `Resource-based policy not found for the provided ResourceArn: ${t.arn}`);
    return { Policy: current.policy, RevisionId: current.revision_id };
  },

  // Deleting where there is no policy is not an error, unless a revision was expected.
  DeleteResourcePolicy(input, ctx) {
    const t = target(ctx, input.ResourceArn);
    const current = statements(ctx).get.get(t.arn) as StoredPolicy | undefined;
    checkRevision(t, current, input.ExpectedRevisionId);
    if (!current) return {};
    statements(ctx).del.run(t.arn);
    return { RevisionId: current.revision_id };
  },
};

/**
 * The owner, tags and policy of the table, index or stream an ARN names, for IAM enforcement. An
 * index is governed by its table's policy; a stream by its own. The account's root user may always
 * delete a policy, "even if your resource-based policy explicitly denies the root principal's access"
 * (API_DeleteResourcePolicy).
 */
export function resourceFacts(ctx: RequestContext, arn: string, action: string, input: Record<string, unknown>): ResourceFacts | undefined {
  const a = parseArn(arn);
  if (!a || a.service !== 'dynamodb' || !a.resource.startsWith('table/')) return undefined;
  const [, name, sub, label] = a.resource.split('/');
  const s = statements(ctx);
  const row = s.table.get(a.account, a.region, name) as { tags: string; description: string } | undefined;
  if (!row) return undefined;
  const context = conditionKeys(ctx.operation, input, JSON.parse(row.description) as TableDescription, sub === 'index' ? label : undefined);
  const facts: ResourceFacts = { account: a.account, tags: JSON.parse(row.tags) as Record<string, string>, context };
  if (action === 'dynamodb:DeleteResourcePolicy' && ctx.caller.kind === 'root' && ctx.caller.accountId === a.account) return facts;
  const tableArn = `arn:${a.partition}:dynamodb:${a.region}:${a.account}:table/${name}`;
  const held = sub === 'stream' ? (label === '*' ? undefined : `${tableArn}/stream/${label}`) : tableArn;
  const stored = held === undefined ? undefined : s.get.get(held) as StoredPolicy | undefined;
  return stored ? { ...facts, policy: stored.policy } : facts;
}

/**
 * A request naming another account's table by its ARN acts on that account's table, as DynamoDB
 * does for cross-account access that the table's resource policy grants. The operations are those
 * resource-based policies support across accounts; the tables of one request must share an owner.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/rbac-cross-account-access.html
 */
const CROSS_ACCOUNT = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'TransactGetItems', 'TransactWriteItems', 'DescribeTable']);

export function inOwnerAccount(handlers: Handlers<Operations>): Handlers<Operations> {
  return Object.fromEntries(Object.entries(handlers).map(([name, h]) => [name, !CROSS_ACCOUNT.has(name) ? h : ((input: Record<string, unknown>, ctx: RequestContext) => {
    const owner = ownerOf(input);
    return (h as Handler)(input, owner && owner !== ctx.accountId ? { ...ctx, accountId: owner } : ctx);
  }) as Handler])) as Handlers<Operations>;
}

/** The one account whose tables a request names by ARN, if it names them all by ARN. */
function ownerOf(input: Record<string, unknown>): string | undefined {
  const names: unknown[] = [input['TableName']];
  if (input['RequestItems']) names.push(...Object.keys(input['RequestItems'] as object));
  for (const item of (input['TransactItems'] as Record<string, { TableName?: unknown }>[] | undefined) ?? []) names.push(...Object.values(item).map((x) => x.TableName));
  const accounts = new Set(names.filter((n) => n !== undefined).map((n) => (typeof n === 'string' && n.startsWith('arn:') ? parseArn(n)?.account : undefined)));
  const [only] = accounts;
  return accounts.size === 1 && only && /^\d{12}$/.test(only) ? only : undefined;
}
