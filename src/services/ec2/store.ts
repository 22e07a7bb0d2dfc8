import type { Statement } from 'better-sqlite3';
import type { Tag, TagSpecification } from '../../generated/types/ec2.js';
import { AwsError } from '../../protocols/errors.js';
import { ipToInt } from './cidr.js';
import type { RequestContext } from '../service.js';

/**
 * EC2 resources as documents: one row per resource, holding the resource in the shape its
 * Describe call returns (plus a few private fields), scoped by account and region. Tags live
 * in their own table, because DescribeTags and `tag:` filters cross every resource type.
 * `due_at` marks a resource in a transitional state (pending, stopping, creating): the next
 * request at or after that time settles it (DESIGN.md §3).
 */
export const migrations = [
  {
    id: 'ec2/001-resources',
    sql: `CREATE TABLE ec2_resources (
        account_id TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL,
        doc TEXT NOT NULL, seq BIGINT NOT NULL, due_at BIGINT,
        PRIMARY KEY (account_id, region, id));
      CREATE INDEX ec2_resources_kind ON ec2_resources (account_id, region, kind, seq);
      CREATE INDEX ec2_resources_due ON ec2_resources (account_id, region, due_at);
      CREATE INDEX ec2_resources_seq ON ec2_resources (seq);
      CREATE TABLE ec2_tags (
        account_id TEXT NOT NULL, region TEXT NOT NULL, resource_id TEXT NOT NULL, resource_type TEXT NOT NULL,
        tag_key TEXT NOT NULL, tag_value TEXT NOT NULL,
        PRIMARY KEY (account_id, region, resource_id, tag_key));
      CREATE INDEX ec2_tags_type ON ec2_tags (account_id, region, resource_type);
      CREATE TABLE ec2_regions_ready (account_id TEXT NOT NULL, region TEXT NOT NULL, PRIMARY KEY (account_id, region));`,
  },
  {
    // Lookups that must not read every document once there are thousands: the addresses of one
    // subnet, an idempotent launch by client token, instances by tag.
    id: 'ec2/002-lookups',
    sql: `ALTER TABLE ec2_resources ADD COLUMN subnet_id TEXT;
      ALTER TABLE ec2_resources ADD COLUMN client_token TEXT;
      ALTER TABLE ec2_resources ADD COLUMN private_ip BIGINT;
      CREATE INDEX ec2_resources_subnet ON ec2_resources (account_id, region, kind, subnet_id, private_ip);
      CREATE INDEX ec2_resources_token ON ec2_resources (account_id, region, client_token);
      CREATE INDEX ec2_tags_key ON ec2_tags (account_id, region, resource_type, tag_key, tag_value);`,
  },
  {
    // A launch template by its name, which creating one checks among up to 5,000.
    id: 'ec2/003-names',
    sql: `ALTER TABLE ec2_resources ADD COLUMN name TEXT;
      CREATE INDEX ec2_resources_name ON ec2_resources (account_id, region, kind, name);`,
  },
];

/** Where a resource lives: an account and a region (CopySnapshot and CopyImage read another region). */
export interface Scope {
  db: RequestContext['db'];
  memory: RequestContext['memory'];
  accountId: string;
  region: string;
}

/** A statement prepared once per Nimbus instance: preparing one costs more than running most of them. */
function sql(s: Scope, text: string): Statement {
  const prepared = s.memory('ec2.statements', () => new Map<string, Statement>());
  let statement = prepared.get(text);
  if (!statement) prepared.set(text, (statement = s.db.prepare(text)));
  return statement;
}

/** The AWS resource type of an id, by its prefix (the names TagSpecifications and DescribeTags use). */
const TYPES: Record<string, string> = {
  i: 'instance', vpc: 'vpc', subnet: 'subnet', sg: 'security-group', rtb: 'route-table', igw: 'internet-gateway',
  nat: 'natgateway', acl: 'network-acl', eipalloc: 'elastic-ip', vol: 'volume', snap: 'snapshot', ami: 'image',
  key: 'key-pair', eni: 'network-interface', pcx: 'vpc-peering-connection', vpce: 'vpc-endpoint',
  nip: 'network-insights-path', nia: 'network-insights-analysis', sgr: 'security-group-rule', dopt: 'dhcp-options',
  lt: 'launch-template',
  // Nimbus's own ids for the versions of a launch template (`ltv-<template>-<number>`): AWS gives versions no id.
  ltv: 'launch-template-version',
};

export function resourceType(id: string): string | undefined {
  return TYPES[id.slice(0, id.indexOf('-'))];
}

/** Stores a resource. `dueAt` schedules its next transition; when omitted, a scheduled one stays. */
export function put(s: Scope, id: string, doc: object, dueAt?: number | null): void {
  const { SubnetId, ClientToken, PrivateIpAddress, LaunchTemplateName } = doc as { SubnetId?: string; ClientToken?: string; PrivateIpAddress?: string; LaunchTemplateName?: string };
  const type = resourceType(id) ?? 'unknown';
  sql(s, `INSERT INTO ec2_resources (account_id, region, id, kind, doc, seq, due_at, subnet_id, client_token, private_ip, name)
      VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM ec2_resources), ?, ?, ?, ?, ?)
      ON CONFLICT (account_id, region, id) DO UPDATE SET doc = excluded.doc, subnet_id = excluded.subnet_id, client_token = excluded.client_token,
        private_ip = excluded.private_ip, name = excluded.name, due_at = CASE WHEN ? = 1 THEN excluded.due_at ELSE ec2_resources.due_at END`)
    .run(s.accountId, s.region, id, type, JSON.stringify(doc), dueAt ?? null, SubnetId ?? null, ClientToken ?? null,
      PrivateIpAddress ? ipToInt(PrivateIpAddress) : null, type === 'launch-template' ? LaunchTemplateName : null, dueAt === undefined ? 0 : 1);
}

/** A resource of a type by its unique name (so far, a launch template's). */
export function named<T>(s: Scope, type: string, name: string): T | undefined {
  const row = sql(s, 'SELECT doc FROM ec2_resources WHERE account_id = ? AND region = ? AND kind = ? AND name = ?').get(s.accountId, s.region, type, name) as { doc: string } | undefined;
  return row ? (JSON.parse(row.doc) as T) : undefined;
}

/**
 * The primary private addresses (as integers) held by network interfaces in a subnet: how many,
 * the highest (one index probe, where counting reads them all), and whether one is taken.
 */
export function subnetAddressCount(s: Scope, subnetId: string): number {
  return (sql(s, `SELECT COUNT(private_ip) AS n FROM ec2_resources WHERE account_id = ? AND region = ? AND kind = 'network-interface' AND subnet_id = ?`)
    .get(s.accountId, s.region, subnetId) as { n: number }).n;
}

export function highestAddress(s: Scope, subnetId: string): number | null {
  return (sql(s, `SELECT MAX(private_ip) AS highest FROM ec2_resources WHERE account_id = ? AND region = ? AND kind = 'network-interface' AND subnet_id = ?`)
    .get(s.accountId, s.region, subnetId) as { highest: number | null }).highest;
}

export function addressTaken(s: Scope, subnetId: string, ip: number): boolean {
  return !!sql(s, `SELECT 1 FROM ec2_resources WHERE account_id = ? AND region = ? AND kind = 'network-interface' AND subnet_id = ? AND private_ip = ?`)
    .get(s.accountId, s.region, subnetId, ip);
}

export function addressesIn(s: Scope, subnetId: string): number[] {
  const rows = sql(s, `SELECT private_ip FROM ec2_resources WHERE account_id = ? AND region = ? AND kind = 'network-interface' AND subnet_id = ? AND private_ip IS NOT NULL`)
    .all(s.accountId, s.region, subnetId) as { private_ip: number }[];
  return rows.map((r) => r.private_ip);
}

/**
 * The resources of a type that a create call with this client token made. The kind is checked
 * here, not in SQL: given `kind = ?`, SQLite walks the kind index (every instance) instead of
 * the token index (the few rows of one launch).
 */
export function withClientToken<T>(s: Scope, type: string, token: string): T[] {
  const rows = sql(s, 'SELECT kind, doc FROM ec2_resources WHERE account_id = ? AND region = ? AND client_token = ? ORDER BY seq').all(s.accountId, s.region, token) as { kind: string; doc: string }[];
  return rows.filter((r) => r.kind === type).map((r) => JSON.parse(r.doc) as T);
}

/** Several resources by id, in the order given, skipping those that do not exist. */
export function getMany<T>(s: Scope, ids: string[]): T[] {
  const stmt = sql(s, 'SELECT doc FROM ec2_resources WHERE account_id = ? AND region = ? AND id = ?');
  return ids.map((id) => stmt.get(s.accountId, s.region, id) as { doc: string } | undefined).filter((r) => r !== undefined).map((r) => JSON.parse(r.doc) as T);
}

/** Ids of the resources of a type whose tag `key` has one of `values` exactly, oldest first. */
export function idsTagged(s: Scope, type: string, key: string, values: string[]): string[] {
  const marks = values.map(() => '?').join(', ');
  const rows = sql(s, `SELECT t.resource_id AS id FROM ec2_tags t JOIN ec2_resources r ON r.account_id = t.account_id AND r.region = t.region AND r.id = t.resource_id
      WHERE t.account_id = ? AND t.region = ? AND t.resource_type = ? AND t.tag_key = ? AND t.tag_value IN (${marks}) ORDER BY r.seq`)
    .all(s.accountId, s.region, type, key, ...values) as { id: string }[];
  return rows.map((r) => r.id);
}

export function get<T>(s: Scope, id: string): T | undefined {
  const row = sql(s, 'SELECT doc FROM ec2_resources WHERE account_id = ? AND region = ? AND id = ?').get(s.accountId, s.region, id) as { doc: string } | undefined;
  return row ? (JSON.parse(row.doc) as T) : undefined;
}

/** Every resource of a type, oldest first (the order Describe calls page in). */
export function all<T>(s: Scope, type: string): T[] {
  const rows = sql(s, 'SELECT doc FROM ec2_resources WHERE account_id = ? AND region = ? AND kind = ? ORDER BY seq').all(s.accountId, s.region, type) as { doc: string }[];
  return rows.map((r) => JSON.parse(r.doc) as T);
}

/**
 * The resources whose ids start with a prefix, in id order: one range of the primary key, so the
 * versions of one launch template are read without touching any other template's.
 */
export function withIdPrefix<T>(s: Scope, prefix: string): T[] {
  const rows = sql(s, 'SELECT doc FROM ec2_resources WHERE account_id = ? AND region = ? AND id >= ? AND id < ? ORDER BY id').all(s.accountId, s.region, prefix, prefix + '\x7f') as { doc: string }[];
  return rows.map((r) => JSON.parse(r.doc) as T);
}

/** Only the ids of those resources, without reading their documents. */
export function idsWithPrefix(s: Scope, prefix: string): string[] {
  const rows = sql(s, 'SELECT id FROM ec2_resources WHERE account_id = ? AND region = ? AND id >= ? AND id < ? ORDER BY id').all(s.accountId, s.region, prefix, prefix + '\x7f') as { id: string }[];
  return rows.map((r) => r.id);
}

/** Removes those resources (untaggable ones: their tags are not looked for). */
export function removeWithIdPrefix(s: Scope, prefix: string): void {
  sql(s, 'DELETE FROM ec2_resources WHERE account_id = ? AND region = ? AND id >= ? AND id < ?').run(s.accountId, s.region, prefix, prefix + '\x7f');
}

/** How many resources of a type the region holds, for quotas. */
export function count(s: Scope, type: string): number {
  return (sql(s, 'SELECT COUNT(*) AS n FROM ec2_resources WHERE account_id = ? AND region = ? AND kind = ?').get(s.accountId, s.region, type) as { n: number }).n;
}

export function remove(s: Scope, id: string): void {
  sql(s, 'DELETE FROM ec2_resources WHERE account_id = ? AND region = ? AND id = ?').run(s.accountId, s.region, id);
  sql(s, 'DELETE FROM ec2_tags WHERE account_id = ? AND region = ? AND resource_id = ?').run(s.accountId, s.region, id);
}

export function exists(s: Scope, id: string): boolean {
  return !!sql(s, 'SELECT 1 FROM ec2_resources WHERE account_id = ? AND region = ? AND id = ?').get(s.accountId, s.region, id);
}

/** Whether the region has its default VPC yet (network.ts makes it on the account's first call there). */
export function regionReady(s: Scope): boolean {
  return !!sql(s, 'SELECT 1 FROM ec2_regions_ready WHERE account_id = ? AND region = ?').get(s.accountId, s.region);
}

export function markRegionReady(s: Scope): void {
  sql(s, 'INSERT INTO ec2_regions_ready (account_id, region) VALUES (?, ?)').run(s.accountId, s.region);
}

/** Resources whose transition is due, for the settler. */
export function due(s: Scope, now: number): { id: string; doc: string }[] {
  return sql(s, 'SELECT id, doc FROM ec2_resources WHERE account_id = ? AND region = ? AND due_at IS NOT NULL AND due_at <= ? ORDER BY seq')
    .all(s.accountId, s.region, now) as { id: string; doc: string }[];
}

/** Looks a resource up or throws AWS's `<Code>` NotFound error for it. */
export function must<T>(s: Scope, id: string, code: string, message: string): T {
  const doc = id ? get<T>(s, id) : undefined;
  if (!doc) throw new AwsError(code, message, { status: 400 });
  return doc;
}

// ---- tags -------------------------------------------------------------------------------

export function tagsOf(s: Scope, id: string): Tag[] {
  return (sql(s, 'SELECT tag_key AS "Key", tag_value AS "Value" FROM ec2_tags WHERE account_id = ? AND region = ? AND resource_id = ? ORDER BY tag_key')
    .all(s.accountId, s.region, id) as Tag[]);
}

/** The tags of every resource of a type at once, so a Describe over thousands costs one query. */
export function tagIndex(s: Scope, type: string): Map<string, Tag[]> {
  const rows = sql(s, 'SELECT resource_id, tag_key, tag_value FROM ec2_tags WHERE account_id = ? AND region = ? AND resource_type = ? ORDER BY tag_key')
    .all(s.accountId, s.region, type) as { resource_id: string; tag_key: string; tag_value: string }[];
  const out = new Map<string, Tag[]>();
  for (const r of rows) {
    let list = out.get(r.resource_id);
    if (!list) out.set(r.resource_id, (list = []));
    list.push({ Key: r.tag_key, Value: r.tag_value });
  }
  return out;
}

export function allTags(s: Scope): { ResourceId: string; ResourceType: string; Key: string; Value: string }[] {
  return sql(s, 'SELECT resource_id AS "ResourceId", resource_type AS "ResourceType", tag_key AS "Key", tag_value AS "Value" FROM ec2_tags WHERE account_id = ? AND region = ? ORDER BY resource_id, tag_key')
    .all(s.accountId, s.region) as { ResourceId: string; ResourceType: string; Key: string; Value: string }[];
}

/**
 * A resource holds at most 50 tags; keys up to 128 characters, values up to 256; `aws:` is
 * reserved, and the `aws:` tags AWS sets itself do not count toward the 50.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html
 */
export function setTags(s: Scope, id: string, tags: Tag[]): void {
  for (const t of tags) {
    const key = t.Key ?? '';
    if (!key || key.length > 128) throw new AwsError('InvalidParameterValue', `Tag keys must be 1 to 128 characters: '${key}'`, { status: 400 });
    if (key.toLowerCase().startsWith('aws:')) throw new AwsError('InvalidParameterValue', `Value ( ${key} ) for parameter key is invalid. Tag keys starting with 'aws:' are reserved for internal use`, { status: 400 });
    if ((t.Value ?? '').length > 256) throw new AwsError('InvalidParameterValue', `Tag value exceeds the maximum length of 256 characters for key '${key}'`, { status: 400 });
  }
  const stmt = sql(s, `INSERT INTO ec2_tags (account_id, region, resource_id, resource_type, tag_key, tag_value) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (account_id, region, resource_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value`);
  for (const t of tags) stmt.run(s.accountId, s.region, id, resourceType(id) ?? 'unknown', t.Key, t.Value ?? '');
  const n = (sql(s, `SELECT COUNT(*) AS n FROM ec2_tags WHERE account_id = ? AND region = ? AND resource_id = ? AND tag_key NOT LIKE 'aws:%'`).get(s.accountId, s.region, id) as { n: number }).n;
  if (n > 50) throw new AwsError('TagLimitExceeded', `The maximum number of Tags for a resource has been reached: ${id} would have ${n} tags (limit 50).`, { status: 400 });
}

/** Tags AWS itself puts on a resource (`aws:ec2launchtemplate:id`): past the checks that keep `aws:` from callers. */
export function setSystemTags(s: Scope, id: string, tags: { Key: string; Value: string }[]): void {
  const stmt = sql(s, `INSERT INTO ec2_tags (account_id, region, resource_id, resource_type, tag_key, tag_value) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (account_id, region, resource_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value`);
  for (const t of tags) stmt.run(s.accountId, s.region, id, resourceType(id) ?? 'unknown', t.Key, t.Value);
}

/** DeleteTags: a tag given with a value is removed only when the value matches; without one, whatever its value. */
export function deleteTags(s: Scope, id: string, tags: Tag[] | undefined): void {
  if (!tags || tags.length === 0) {
    sql(s, 'DELETE FROM ec2_tags WHERE account_id = ? AND region = ? AND resource_id = ?').run(s.accountId, s.region, id);
    return;
  }
  for (const t of tags) {
    if (t.Value === undefined) sql(s, 'DELETE FROM ec2_tags WHERE account_id = ? AND region = ? AND resource_id = ? AND tag_key = ?').run(s.accountId, s.region, id, t.Key);
    else sql(s, 'DELETE FROM ec2_tags WHERE account_id = ? AND region = ? AND resource_id = ? AND tag_key = ? AND tag_value = ?').run(s.accountId, s.region, id, t.Key, t.Value);
  }
}

/** Applies the TagSpecifications of a create call that name this resource's type. */
export function tagOnCreate(s: Scope, id: string, specs: TagSpecification[] | undefined): Tag[] {
  const type = resourceType(id);
  const tags = (specs ?? []).filter((spec) => spec.ResourceType === type).flatMap((spec) => spec.Tags ?? []);
  if (tags.length > 0) setTags(s, id, tags);
  return tags;
}

/** The same list with each resource's tags attached, the way Describe calls answer: a few ask for their own, many read the type's at once. */
export function withTags<T extends object>(s: Scope, type: string, docs: T[], idOf: (d: T) => string): (T & { Tags?: Tag[] })[] {
  if (docs.length < 20) {
    return docs.map((d) => {
      const tags = tagsOf(s, idOf(d));
      return { ...d, Tags: tags.length ? tags : undefined };
    });
  }
  const index = tagIndex(s, type);
  return docs.map((d) => ({ ...d, Tags: index.get(idOf(d)) }));
}
