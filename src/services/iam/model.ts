import { AwsError } from '../../protocols/errors.js';
import { parsePolicy, policySize, type PolicyKind } from '../../iam/policy.js';
import type { AttachedPermissionsBoundary, Group, Role, Tag, User } from '../../generated/types/iam.js';
import type { RequestContext } from '../service.js';

/** IAM's resources as rows, their ARNs, and the checks every handler shares. */

export type EntityType = 'user' | 'group' | 'role';

export interface UserRow { account_id: string; name: string; id: string; path: string; create_date: number; boundary_arn: string | null; password_last_used: number | null }
export interface GroupRow { account_id: string; name: string; id: string; path: string; create_date: number }
export interface RoleRow {
  account_id: string; name: string; id: string; path: string; create_date: number; trust_policy: string;
  description: string | null; max_session: number; boundary_arn: string | null; last_used_at: number | null; last_used_region: string | null;
}

type Ctx = Pick<RequestContext, 'db' | 'accountId'>;

export const iamArn = (account: string, kind: string, path: string, name: string) => `arn:aws:iam::${account}:${kind}${path}${name}`;

const TABLES = { user: 'iam_users', group: 'iam_groups', role: 'iam_roles' } as const;
const LABEL = { user: 'user', group: 'group', role: 'role' } as const;

/** Finds a user, group or role by name, ignoring case as IAM does. */
export function find<T extends EntityType>(ctx: Ctx, type: T, name: string): (T extends 'user' ? UserRow : T extends 'group' ? GroupRow : RoleRow) | undefined {
  return ctx.db.prepare(`SELECT * FROM ${TABLES[type]} WHERE account_id = ? AND lower(name) = lower(?)`).get(ctx.accountId, name) as never;
}

export function need<T extends EntityType>(ctx: Ctx, type: T, name: string) {
  const row = find(ctx, type, name);
  if (!row) throw noSuchEntity(`The ${LABEL[type]} with name ${name} cannot be found.`);
  return row;
}

export function noSuchEntity(message: string): AwsError {
  return new AwsError('NoSuchEntity', message);
}

export function alreadyExists(message: string): AwsError {
  return new AwsError('EntityAlreadyExists', message);
}

export function deleteConflict(message: string): AwsError {
  return new AwsError('DeleteConflict', message);
}

export function ensureNew(ctx: Ctx, type: EntityType, name: string): void {
  checkName(name, `${type}Name`);
  if (find(ctx, type, name)) throw alreadyExists(`${type === 'user' ? 'User' : type === 'group' ? 'Group' : 'Role'} with name ${name} already exists.`);
}

/**
 * Names of users, groups, roles, policies and instance profiles: IAM's pattern, which the
 * request validator (lengths, enums) does not check.
 */
export function checkName(value: string, member: string): void {
  if (!/^[\w+=,.@-]+$/.test(value)) {
    throw new AwsError('ValidationError', `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`, { status: 400 });
  }
}

/** Paths begin and end with `/`. https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html */
export function checkPath(path: string | undefined): string {
  const p = path ?? '/';
  if (!/^\/([\u0021-\u007E]*\/)?$/.test(p)) {
    throw new AwsError('ValidationError', `The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`, { status: 400 });
  }
  return p;
}

export function boundaryOf(arn: string | null): { PermissionsBoundary?: AttachedPermissionsBoundary } {
  return arn ? { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn } } : {};
}

export function toUser(ctx: Ctx, u: UserRow, withTags = false): User {
  const tags = withTags ? getTags(ctx, 'user', u.name) : [];
  return {
    Path: u.path, UserName: u.name, UserId: u.id, Arn: iamArn(u.account_id, 'user', u.path, u.name), CreateDate: new Date(u.create_date),
    ...(u.password_last_used ? { PasswordLastUsed: new Date(u.password_last_used) } : {}),
    ...boundaryOf(u.boundary_arn),
    ...(tags.length ? { Tags: tags } : {}),
  };
}

export function toGroup(g: GroupRow): Group {
  return { Path: g.path, GroupName: g.name, GroupId: g.id, Arn: iamArn(g.account_id, 'group', g.path, g.name), CreateDate: new Date(g.create_date) };
}

export function toRole(ctx: Ctx, r: RoleRow, detail = false): Role {
  const tags = detail ? getTags(ctx, 'role', r.name) : [];
  return {
    Path: r.path, RoleName: r.name, RoleId: r.id, Arn: iamArn(r.account_id, 'role', r.path, r.name), CreateDate: new Date(r.create_date),
    AssumeRolePolicyDocument: encodeURIComponent(r.trust_policy),
    ...(r.description !== null ? { Description: r.description } : {}),
    MaxSessionDuration: r.max_session,
    ...boundaryOf(r.boundary_arn),
    ...(tags.length ? { Tags: tags } : {}),
    ...(detail ? { RoleLastUsed: r.last_used_at ? { LastUsedDate: new Date(r.last_used_at), Region: r.last_used_region ?? undefined } : {} } : {}),
  };
}

/** Tags of a user, role, policy or instance profile, in the order they were added. */
export function getTags(ctx: Ctx, type: string, name: string): Tag[] {
  return (ctx.db.prepare('SELECT tag_key, tag_value FROM iam_tags WHERE account_id = ? AND resource_type = ? AND resource_name = ? ORDER BY position')
    .all(ctx.accountId, type, name) as { tag_key: string; tag_value: string }[]).map((t) => ({ Key: t.tag_key, Value: t.tag_value }));
}

/** Adds or overwrites tags; IAM allows 50 per resource. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html */
export function putTags(ctx: Ctx, type: string, name: string, tags: readonly Tag[] | undefined): void {
  if (!tags?.length) return;
  const keys = new Set(tags.map((t) => t.Key.toLowerCase()));
  if (keys.size !== tags.length) throw new AwsError('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
  const existing = getTags(ctx, type, name);
  const merged = new Set([...existing.map((t) => t.Key), ...tags.map((t) => t.Key)]);
  if (merged.size > 50) throw new AwsError('LimitExceeded', 'The number of tags has reached the maximum limit.');
  let position = existing.length;
  const upsert = ctx.db.prepare(`INSERT INTO iam_tags (account_id, resource_type, resource_name, tag_key, tag_value, position) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (account_id, resource_type, resource_name, tag_key) DO UPDATE SET tag_value = excluded.tag_value`);
  for (const t of tags) upsert.run(ctx.accountId, type, name, t.Key, t.Value, position++);
}

export function removeTags(ctx: Ctx, type: string, name: string, keys?: readonly string[]): void {
  if (keys === undefined) {
    ctx.db.prepare('DELETE FROM iam_tags WHERE account_id = ? AND resource_type = ? AND resource_name = ?').run(ctx.accountId, type, name);
    return;
  }
  const del = ctx.db.prepare('DELETE FROM iam_tags WHERE account_id = ? AND resource_type = ? AND resource_name = ? AND tag_key = ?');
  for (const k of keys) del.run(ctx.accountId, type, name, k);
}

/** IAM's Marker/MaxItems paging: the marker is an opaque offset. */
export function page<T>(items: readonly T[], input: { Marker?: string; MaxItems?: number }): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const start = input.Marker ? Number(Buffer.from(input.Marker, 'base64').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw new AwsError('InvalidInput', 'Invalid Marker.');
  const size = input.MaxItems ?? 100;
  const slice = items.slice(start, start + size);
  const more = start + size < items.length;
  return { items: slice, IsTruncated: more, ...(more ? { Marker: Buffer.from(String(start + size)).toString('base64') } : {}) };
}

/**
 * Validates a policy document written to IAM, with IAM's size quotas (counted without
 * whitespace). https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export function checkDocument(text: string, kind: PolicyKind, quota: { name: string; max: number }): void {
  parsePolicy(text, kind);
  if (policySize(text) > quota.max) throw new AwsError('LimitExceeded', `Cannot exceed quota for ${quota.name}: ${quota.max}`);
}
