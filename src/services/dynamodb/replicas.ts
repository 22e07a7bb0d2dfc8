import { randomUUID } from 'node:crypto';
import type {
  CreateReplicationGroupMemberAction, Operations, ReplicaDescription, ReplicationGroupUpdate, TableDescription, UpdateReplicationGroupMemberAction,
} from '../../generated/types/dynamodb.js';
import { formatArn } from '../../arn.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext } from '../service.js';
import { openStream, streamLabel } from './streams.js';
import { describe, dropTable } from './tables.js';
import { findTable, getTable, saveTable, type Table } from './table.js';

/**
 * Global tables, version 2019.11.21: a table and its replicas, the same-named tables of the same
 * account in other regions. Each member's description lists the other members (`Replicas`, as
 * DescribeTable shows them, in the order they joined as that region saw it) and
 * `GlobalTableVersion`; `commit` replays every item change on the members it lists, in the same
 * SQLite transaction, so replication is synchronous here where AWS's is asynchronous (about a
 * second), and the last writer wins as in AWS.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html
 */
const GLOBAL_TABLE_VERSION = '2019.11.21';

const invalid = (m: string) => new AwsError('ValidationException', m);

/** The same request, as seen from another region of the caller's account. */
function inRegion(ctx: RequestContext, region: string): RequestContext {
  return Object.assign({}, ctx, { region });
}

/**
 * Each replica of `t`, with the request as seen from its region, for `commit` to apply an item
 * change to: each replica's own stream and recovery log then record it as that replica sees it.
 */
export function replicaTables(ctx: RequestContext, t: Table): [RequestContext, Table][] {
  return t.description.Replicas!.map((r) => {
    const rctx = inRegion(ctx, r.RegionName!);
    return [rctx, getTable(rctx, t.name)];
  });
}

/** The other members of `t`'s group, as stored in their regions. */
function members(ctx: RequestContext, t: Table): Table[] {
  return (t.description.Replicas ?? []).map((r) => findTable(inRegion(ctx, r.RegionName!), t.name)).filter((m): m is Table => m !== undefined);
}

/** Each other member of `t`'s group, with the request as seen from its region. */
export function groupMembers(ctx: RequestContext, t: Table): [RequestContext, Table][] {
  return members(ctx, t).map((m) => [inRegion(ctx, m.region), m]);
}

/** A member's list of the others; a table left with none is regional again, without any of the global keys. */
function setReplicas(t: Table, replicas: ReplicaDescription[]): void {
  if (replicas.length) {
    Object.assign(t.description, { Replicas: replicas, GlobalTableVersion: GLOBAL_TABLE_VERSION, GlobalTableSettingsReplicationMode: 'ENABLED_WITH_OVERRIDES' });
  } else {
    delete t.description.Replicas;
    delete t.description.GlobalTableVersion;
    delete t.description.GlobalTableSettingsReplicationMode;
  }
}

/** Whether a replica Update asks for anything: an index named without an override does not. */
function hasAction(u: UpdateReplicationGroupMemberAction): boolean {
  return !!(u.KMSMasterKeyId ?? u.ProvisionedThroughputOverride ?? u.OnDemandThroughputOverride ?? u.TableClassOverride)
    || !!u.GlobalSecondaryIndexes?.some((g) => g.ProvisionedThroughputOverride ?? g.OnDemandThroughputOverride);
}

/** Region names as AWS spells them (`eu-west-1`, `us-gov-west-1`); anything else is no region. */
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/;

/**
 * ReplicaUpdates' checks, in the order and words of DynamoDB (measured against AWS): one kind of
 * action per request, one Create or Delete, never the table's own region, Create only where no
 * table of that name is, Update and Delete only of members.
 */
function checkReplicaUpdates(ctx: RequestContext, t: Table, updates: ReplicationGroupUpdate[]): void {
  const kinds = new Set<string>();
  for (const u of updates) {
    const actions = (['Create', 'Update', 'Delete'] as const).filter((k) => u[k] !== undefined);
    if (actions.length === 0) throw invalid('There are no actions specified in the Replica Update Action of the request.');
    for (const k of actions) kinds.add(k);
  }
  if (kinds.size > 1) throw invalid('Update table operation with more than one type of replica actions not allowed');
  // Two Creates of one region are one Create.
  const regions = [...new Set(updates.map((u) => (u.Create ?? u.Update ?? u.Delete)!.RegionName))];
  if (!kinds.has('Update') && regions.length > 1) throw invalid('Update table operation with more than one create or delete replica actions not allowed');
  const group = new Set((t.description.Replicas ?? []).map((r) => r.RegionName));
  const strangers: string[] = [];
  for (const u of updates) {
    const region = (u.Create ?? u.Update ?? u.Delete)!.RegionName;
    if (region === ctx.region) throw invalid('Cannot add or delete the local region through ReplicaUpdates. Use CreateTable, DeleteTable, or UpdateTable as required.');
    if (!REGION.test(region)) throw invalid(`Region ${region} is not supported.`);
    if (u.Create && findTable(inRegion(ctx, region), t.name)) {
      throw invalid(`Failed to create a the new replica of table with name: '${t.name}' because one or more replicas already existed as tables.`);
    }
    if (!u.Create && !group.has(region)) strangers.push(region);
    if (u.Update && !hasAction(u.Update)) {
      throw invalid('There are no actions specified in the Replica Update Action of the request.');
    }
  }
  if (strangers.length) {
    throw invalid(`Update global table operation failed because one or more replicas were not part of the global table. Please retry the request without these replicas: [${strangers.join(', ')}].`);
  }
}

type ReplicaAction = CreateReplicationGroupMemberAction | UpdateReplicationGroupMemberAction;

/** A replica's KMS key as AWS reads it back: a bare key id or alias becomes its ARN in the replica's region. */
function kmsKeyArn(ctx: RequestContext, region: string, key: string): string {
  return key.startsWith('arn:') ? key : formatArn({ service: 'kms', region, account: ctx.accountId, resource: key.startsWith('alias/') ? key : `key/${key}` });
}

/**
 * A replica's entry in the other members' Replicas lists, with an action's overrides merged in:
 * a read capacity equal to the base table's clears the override, and index overrides merge by
 * index name (measured against AWS).
 */
function withOverrides(ctx: RequestContext, entry: ReplicaDescription, action: ReplicaAction, base: TableDescription): ReplicaDescription {
  const out = { ...entry };
  if (action.KMSMasterKeyId) out.KMSMasterKeyId = kmsKeyArn(ctx, action.RegionName, action.KMSMasterKeyId);
  const read = action.ProvisionedThroughputOverride?.ReadCapacityUnits;
  if (read !== undefined && read === base.ProvisionedThroughput?.ReadCapacityUnits) delete out.ProvisionedThroughputOverride;
  else if (read !== undefined) out.ProvisionedThroughputOverride = { ReadCapacityUnits: read };
  if (action.OnDemandThroughputOverride) out.OnDemandThroughputOverride = action.OnDemandThroughputOverride;
  if (action.TableClassOverride) out.ReplicaTableClassSummary = { TableClass: action.TableClassOverride };
  if (action.GlobalSecondaryIndexes) {
    const indexes = new Map((out.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName, g]));
    for (const o of action.GlobalSecondaryIndexes) {
      const units = o.ProvisionedThroughputOverride?.ReadCapacityUnits;
      const baseUnits = base.GlobalSecondaryIndexes?.find((g) => g.IndexName === o.IndexName)?.ProvisionedThroughput?.ReadCapacityUnits;
      indexes.set(o.IndexName, units === undefined || units === baseUnits ? { IndexName: o.IndexName } : { IndexName: o.IndexName, ProvisionedThroughputOverride: { ReadCapacityUnits: units } });
    }
    out.GlobalSecondaryIndexes = [...indexes.values()];
  }
  return out;
}

/** Applies a replica's own settings (its read capacity, table class, key) to its description. */
function applyOverrides(ctx: RequestContext, d: TableDescription, action: ReplicaAction, now: Date): void {
  const read = action.ProvisionedThroughputOverride?.ReadCapacityUnits;
  if (read !== undefined && d.BillingModeSummary?.BillingMode !== 'PAY_PER_REQUEST') d.ProvisionedThroughput = { ...d.ProvisionedThroughput, ReadCapacityUnits: read };
  // A replica's index read capacity is its own too; an override naming no index of the table is ignored, as by AWS.
  for (const o of action.GlobalSecondaryIndexes ?? []) {
    const ix = d.GlobalSecondaryIndexes?.find((g) => g.IndexName === o.IndexName);
    const units = o.ProvisionedThroughputOverride?.ReadCapacityUnits;
    if (ix && units !== undefined && d.BillingModeSummary?.BillingMode !== 'PAY_PER_REQUEST') ix.ProvisionedThroughput = { ...ix.ProvisionedThroughput, ReadCapacityUnits: units };
  }
  if (action.TableClassOverride) d.TableClassSummary = { TableClass: action.TableClassOverride, LastUpdateDateTime: now };
  if (action.KMSMasterKeyId && d.SSEDescription) d.SSEDescription = { ...d.SSEDescription, KMSMasterKeyArn: kmsKeyArn(ctx, action.RegionName, action.KMSMasterKeyId) };
}

/**
 * The new replica of `t` in `region`: the same schema, indexes, billing, stream and TTL, with its
 * own id, ARNs and stream; tags, deletion protection and point-in-time recovery stay regional, as
 * AWS does not synchronize them.
 */
function replicaOf(ctx: RequestContext, t: Table, action: CreateReplicationGroupMemberAction): Table {
  const now = ctx.clock.date();
  const region = action.RegionName;
  const arn = formatArn({ service: 'dynamodb', region, account: ctx.accountId, resource: `table/${t.name}` });
  const d = structuredClone(t.description);
  // A replica is not a restored table, even when its source is.
  delete d.RestoreSummary;
  const label = streamLabel(now);
  Object.assign(d, { TableArn: arn, TableId: randomUUID(), CreationDateTime: now, DeletionProtectionEnabled: false, LatestStreamLabel: label, LatestStreamArn: `${arn}/stream/${label}` });
  for (const ix of [...d.LocalSecondaryIndexes ?? [], ...d.GlobalSecondaryIndexes ?? []]) ix.IndexArn = `${arn}/index/${ix.IndexName}`;
  // A KMS key is regional: without one named for the replica, it gets its region's key.
  if (d.SSEDescription) d.SSEDescription = { ...d.SSEDescription, KMSMasterKeyArn: formatArn({ service: 'kms', region, account: ctx.accountId, resource: `key/${randomUUID()}` }) };
  applyOverrides(ctx, d, action, now);
  return { id: d.TableId!, name: t.name, accountId: t.accountId, region, description: d, tags: {}, ttlAttribute: t.ttlAttribute, recoverySince: undefined };
}

function copyItems(ctx: RequestContext, from: Table, to: Table): void {
  ctx.db.prepare(`INSERT INTO dynamodb_items (table_id, hash_key, range_key, scan_order, item, size, expires_at)
    SELECT ?, hash_key, range_key, scan_order, item, size, expires_at FROM dynamodb_items WHERE table_id = ?`).run(to.id, from.id);
  ctx.db.prepare(`INSERT INTO dynamodb_index_items (table_id, index_name, hash_key, range_key, scan_order, item_hash, item_range)
    SELECT ?, index_name, hash_key, range_key, scan_order, item_hash, item_range FROM dynamodb_index_items WHERE table_id = ?`).run(to.id, from.id);
}

/**
 * A Create: the replica table with a copy of the items. A table without a stream gets a
 * NEW_AND_OLD_IMAGES one, as DynamoDB enables it; an enabled stream of another view type is kept
 * (AWS keeps it too), and the replica gets the same.
 */
function addReplica(ctx: RequestContext, t: Table, others: Table[], action: CreateReplicationGroupMemberAction): void {
  const d = t.description;
  const streamed = !d.StreamSpecification?.StreamEnabled;
  if (streamed) {
    const label = streamLabel(ctx.clock.date());
    Object.assign(d, { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' }, LatestStreamLabel: label, LatestStreamArn: `${d.TableArn}/stream/${label}` });
  }
  const replica = replicaOf(ctx, t, action);
  const entry = withOverrides(ctx, { RegionName: action.RegionName, ReplicaStatus: 'ACTIVE' }, action, d);
  setReplicas(replica, [{ RegionName: t.region, ReplicaStatus: 'ACTIVE' }, ...(d.Replicas ?? [])]);
  for (const m of [t, ...others]) {
    setReplicas(m, [...(m.description.Replicas ?? []), entry]);
    saveTable(ctx, m);
  }
  saveTable(ctx, replica);
  if (streamed) openStream(ctx, t);
  openStream(inRegion(ctx, action.RegionName), replica);
  copyItems(ctx, t, replica);
}

/** Writes a changed entry of `region` into every member's list. */
function updateEntry(ctx: RequestContext, group: Table[], region: string, change: (r: ReplicaDescription) => ReplicaDescription): void {
  for (const m of group) {
    setReplicas(m, m.description.Replicas!.map((r) => (r.RegionName === region ? change(r) : r)));
    saveTable(ctx, m);
  }
}

function updateReplica(ctx: RequestContext, t: Table, others: Table[], action: UpdateReplicationGroupMemberAction): void {
  const replica = others.find((m) => m.region === action.RegionName)!;
  const onDemand = replica.description.BillingModeSummary?.BillingMode === 'PAY_PER_REQUEST';
  // A replica's key is changed with SSESpecification in its own region, never through ReplicaUpdates.
  if (action.KMSMasterKeyId !== undefined) throw invalid('One or more parameter values were invalid: KMSMasterKeyId must be specified for each replica.');
  if (action.ProvisionedThroughputOverride && onDemand) throw invalid('Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST');
  if (action.OnDemandThroughputOverride && !onDemand) throw invalid('MaxReadRequestUnits for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED');
  applyOverrides(ctx, replica.description, action, ctx.clock.date());
  updateEntry(ctx, [t, ...others.filter((m) => m !== replica)], action.RegionName, (r) => withOverrides(ctx, r, action, t.description));
  saveTable(ctx, replica);
}

/**
 * Takes `t` out of its group: the other members stop listing it, and a member left alone is a
 * regional table again (its stream stays enabled, as in AWS). Called before `t` is dropped.
 */
export function leaveGroup(ctx: RequestContext, t: Table): void {
  for (const m of members(ctx, t)) {
    setReplicas(m, m.description.Replicas!.filter((r) => r.RegionName !== t.region));
    saveTable(ctx, m);
  }
}

/**
 * UpdateTable's ReplicaUpdates, the only change of its request: creates, updates or deletes
 * replicas of `t`, and answers `t`'s description as UpdateTable does, with the replica being
 * created as CREATING or the one deleted as DELETING (both already done, DESIGN.md §3).
 */
export function updateReplicas(ctx: RequestContext, t: Table, updates: ReplicationGroupUpdate[]): TableDescription {
  checkReplicaUpdates(ctx, t, updates);
  const others = members(ctx, t);
  let deleted: ReplicaDescription | undefined;
  ctx.db.transaction(() => {
    for (const u of updates) {
      if (u.Create && !t.description.Replicas?.some((r) => r.RegionName === u.Create!.RegionName)) addReplica(ctx, t, others, u.Create);
      else if (u.Update) updateReplica(ctx, t, others, u.Update);
      else if (u.Delete) {
        const replica = others.find((m) => m.region === u.Delete!.RegionName)!;
        if (replica.description.DeletionProtectionEnabled) {
          throw invalid('Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.');
        }
        deleted = t.description.Replicas!.find((r) => r.RegionName === replica.region);
        leaveGroup(ctx, replica);
        // `t` was saved by leaveGroup from its own row; this copy must not write the old list back.
        setReplicas(t, t.description.Replicas!.filter((r) => r !== deleted));
        dropTable(inRegion(ctx, replica.region), replica);
      }
    }
  })();
  const out = describe(ctx, t, 'UPDATING');
  const created = new Set(updates.map((u) => u.Create?.RegionName));
  if (out.Replicas) out.Replicas = out.Replicas.map((r) => (created.has(r.RegionName) ? { ...r, ReplicaStatus: 'CREATING' } : r));
  if (deleted) Object.assign(out, { Replicas: [...out.Replicas ?? [], { ...deleted, ReplicaStatus: 'DELETING' }], GlobalTableVersion: GLOBAL_TABLE_VERSION });
  return out;
}

const legacyRefused = () => invalid('DynamoDB global tables version 2017.11.29 is not supported. We recommend using DynamoDB global tables version 2019.11.21, instead of version 2017.11.29 (Legacy).');
const noGlobalTable = (name: string) => new AwsError('GlobalTableNotFoundException', `Global table with name: '${name}' does not exist.`);

/**
 * The legacy API (version 2017.11.29), as DynamoDB answers it today: it no longer creates such
 * global tables (CreateGlobalTable, and UpdateGlobalTable's Create, are refused from every region),
 * so none exists for the other operations to find, and they never see the 2019.11.21 groups
 * either. Measured against AWS in 2026; the legacy pages now send new global tables to version
 * 2019.11.21. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_versions.html
 */
export const globalTableHandlers: Handlers<Operations> = {
  CreateGlobalTable() {
    throw legacyRefused();
  },

  UpdateGlobalTable(input) {
    if (input.ReplicaUpdates.some((u) => u.Create)) throw legacyRefused();
    if (input.ReplicaUpdates.length === 0) throw invalid('One or more parameter values were invalid');
    throw noGlobalTable(input.GlobalTableName);
  },

  DescribeGlobalTable(input) {
    throw new AwsError('GlobalTableNotFoundException', `Global table not found: ${noGlobalTable(input.GlobalTableName).message}`);
  },

  DescribeGlobalTableSettings(input) {
    throw noGlobalTable(input.GlobalTableName);
  },

  UpdateGlobalTableSettings(input) {
    throw noGlobalTable(input.GlobalTableName);
  },

  ListGlobalTables() {
    return { GlobalTables: [] };
  },
};
