import { AwsError } from '../../protocols/errors.js';
import { iamId } from '../../ids.js';
import type { Operations, Policy } from '../../generated/types/iam.js';
import type { Handlers, RequestContext } from '../service.js';
import { AWS_MANAGED, AWS_MANAGED_PREFIX, awsManagedArn, awsManagedDocument } from './aws-managed.js';
import { alreadyExists, checkDocument, checkName, checkPath, deleteConflict, getTags, noSuchEntity, page, putTags, removeTags } from './model.js';

/**
 * Managed policies: AWS's (read-only, shared by every account) and the account's own, with up to
 * five versions of which one is the default.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html
 */

export interface ManagedPolicy {
  arn: string;
  name: string;
  id: string;
  path: string;
  description?: string;
  defaultVersion: string;
  createDate: Date;
  updateDate: Date;
  aws: boolean;
}

interface PolicyRow { arn: string; name: string; id: string; path: string; description: string | null; default_version: string; next_version: number; create_date: number; update_date: number }

type Ctx = Pick<RequestContext, 'db' | 'accountId'>;

export function findPolicy(ctx: Ctx, arn: string): ManagedPolicy | undefined {
  if (arn.startsWith(`${AWS_MANAGED_PREFIX}/`)) {
    const p = AWS_MANAGED.find((m) => awsManagedArn(m) === arn);
    return p && { arn, name: p.name, id: p.id, path: p.path, description: p.description, defaultVersion: p.versionId, createDate: new Date(p.created), updateDate: new Date(p.updated), aws: true };
  }
  const r = ctx.db.prepare('SELECT * FROM iam_policies WHERE account_id = ? AND arn = ?').get(ctx.accountId, arn) as PolicyRow | undefined;
  return r && { arn: r.arn, name: r.name, id: r.id, path: r.path, ...(r.description !== null ? { description: r.description } : {}), defaultVersion: r.default_version, createDate: new Date(r.create_date), updateDate: new Date(r.update_date), aws: false };
}

export function needPolicy(ctx: Ctx, arn: string): ManagedPolicy {
  const p = findPolicy(ctx, arn);
  if (!p) throw noSuchEntity(`Policy ${arn} was not found.`);
  return p;
}

/** The document of one version (the default when none is named). */
export function policyDocument(ctx: Ctx, p: ManagedPolicy, versionId = p.defaultVersion): string | undefined {
  if (p.aws) {
    const m = AWS_MANAGED.find((x) => awsManagedArn(x) === p.arn)!;
    return versionId === m.versionId ? awsManagedDocument(m) : undefined;
  }
  const v = ctx.db.prepare('SELECT document FROM iam_policy_versions WHERE account_id = ? AND policy_arn = ? AND version_id = ?').get(ctx.accountId, p.arn, versionId) as { document: string } | undefined;
  return v?.document;
}

/** Permissions boundaries must be managed policies that exist. */
export function checkBoundary(ctx: Ctx, arn: string): void {
  if (!findPolicy(ctx, arn)) throw new AwsError('NoSuchEntity', `Scope ARN: ${arn} does not exist or is not attachable.`);
}

function usage(ctx: Ctx, arn: string): { attachments: number; boundaries: number } {
  const a = ctx.db.prepare('SELECT COUNT(*) AS n FROM iam_attachments WHERE account_id = ? AND policy_arn = ?').get(ctx.accountId, arn) as { n: number };
  const u = ctx.db.prepare('SELECT COUNT(*) AS n FROM iam_users WHERE account_id = ? AND boundary_arn = ?').get(ctx.accountId, arn) as { n: number };
  const r = ctx.db.prepare('SELECT COUNT(*) AS n FROM iam_roles WHERE account_id = ? AND boundary_arn = ?').get(ctx.accountId, arn) as { n: number };
  return { attachments: a.n, boundaries: u.n + r.n };
}

export function toPolicy(ctx: Ctx, p: ManagedPolicy, withTags = false): Policy {
  const n = usage(ctx, p.arn);
  const tags = withTags && !p.aws ? getTags(ctx, 'policy', p.arn) : [];
  return {
    PolicyName: p.name, PolicyId: p.id, Arn: p.arn, Path: p.path, DefaultVersionId: p.defaultVersion,
    AttachmentCount: n.attachments, PermissionsBoundaryUsageCount: n.boundaries, IsAttachable: true,
    ...(p.description !== undefined ? { Description: p.description } : {}),
    CreateDate: p.createDate, UpdateDate: p.updateDate,
    ...(tags.length ? { Tags: tags } : {}),
  };
}

const MANAGED_QUOTA = { name: 'PolicySize', max: 6144 };

function versions(ctx: Ctx, arn: string): { version_id: string; document: string; create_date: number }[] {
  return ctx.db.prepare('SELECT version_id, document, create_date FROM iam_policy_versions WHERE account_id = ? AND policy_arn = ? ORDER BY create_date DESC, version_id DESC').all(ctx.accountId, arn) as never;
}

function customerPolicy(ctx: Ctx, arn: string): ManagedPolicy {
  const p = needPolicy(ctx, arn);
  if (p.aws) throw new AwsError('InvalidInput', `Policy ${arn} is an AWS managed policy and cannot be changed.`);
  return p;
}

export const policies: Handlers<Operations> = {
  CreatePolicy(input, ctx) {
    checkName(input.PolicyName, 'policyName');
    const path = checkPath(input.Path);
    const arn = `arn:aws:iam::${ctx.accountId}:policy${path}${input.PolicyName}`;
    const clash = ctx.db.prepare('SELECT 1 FROM iam_policies WHERE account_id = ? AND lower(name) = lower(?) AND path = ?').get(ctx.accountId, input.PolicyName, path);
    if (clash) throw alreadyExists(`A policy called ${input.PolicyName} already exists. Duplicate names are not allowed.`);
    checkDocument(input.PolicyDocument, 'identity', MANAGED_QUOTA);
    const now = ctx.clock.now();
    ctx.db.transaction(() => {
      ctx.db.prepare(`INSERT INTO iam_policies (account_id, arn, name, id, path, description, default_version, next_version, create_date, update_date)
        VALUES (?, ?, ?, ?, ?, ?, 'v1', 2, ?, ?)`).run(ctx.accountId, arn, input.PolicyName, iamId('ANPA'), path, input.Description ?? null, now, now);
      ctx.db.prepare('INSERT INTO iam_policy_versions (account_id, policy_arn, version_id, document, create_date) VALUES (?, ?, ?, ?, ?)').run(ctx.accountId, arn, 'v1', input.PolicyDocument, now);
      putTags(ctx, 'policy', arn, input.Tags);
    })();
    return { Policy: toPolicy(ctx, needPolicy(ctx, arn), true) };
  },

  GetPolicy: (input, ctx) => ({ Policy: toPolicy(ctx, needPolicy(ctx, input.PolicyArn), true) }),

  ListPolicies(input, ctx) {
    const scope = input.Scope ?? 'All';
    const prefix = input.PathPrefix ?? '/';
    const local = scope === 'AWS' ? [] : (ctx.db.prepare('SELECT arn FROM iam_policies WHERE account_id = ? ORDER BY name').all(ctx.accountId) as { arn: string }[]).map((r) => r.arn);
    const aws = scope === 'Local' ? [] : AWS_MANAGED.map(awsManagedArn);
    let list = [...aws, ...local].map((arn) => needPolicy(ctx, arn)).filter((p) => p.path.startsWith(prefix)).map((p) => toPolicy(ctx, p));
    if (input.OnlyAttached) list = list.filter((p) => p.AttachmentCount! > 0);
    if (input.PolicyUsageFilter === 'PermissionsBoundary') list = list.filter((p) => p.PermissionsBoundaryUsageCount! > 0);
    const { items, ...more } = page(list, input);
    return { Policies: items, ...more };
  },

  DeletePolicy(input, ctx) {
    const p = customerPolicy(ctx, input.PolicyArn);
    const n = usage(ctx, p.arn);
    if (n.attachments > 0 || n.boundaries > 0) throw deleteConflict('Cannot delete a policy attached to entities.');
    if (versions(ctx, p.arn).length > 1) throw deleteConflict('This policy has more than one version. Before you delete a policy, you must delete the policy\'s versions. The default version is deleted with the policy.');
    ctx.db.prepare('DELETE FROM iam_policy_versions WHERE account_id = ? AND policy_arn = ?').run(ctx.accountId, p.arn);
    ctx.db.prepare('DELETE FROM iam_policies WHERE account_id = ? AND arn = ?').run(ctx.accountId, p.arn);
    removeTags(ctx, 'policy', p.arn);
  },

  CreatePolicyVersion(input, ctx) {
    const p = customerPolicy(ctx, input.PolicyArn);
    if (versions(ctx, p.arn).length >= 5) {
      throw new AwsError('LimitExceeded', 'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.');
    }
    checkDocument(input.PolicyDocument, 'identity', MANAGED_QUOTA);
    const row = ctx.db.prepare('SELECT next_version FROM iam_policies WHERE account_id = ? AND arn = ?').get(ctx.accountId, p.arn) as { next_version: number };
    const versionId = `v${row.next_version}`;
    const now = ctx.clock.now();
    ctx.db.prepare('INSERT INTO iam_policy_versions (account_id, policy_arn, version_id, document, create_date) VALUES (?, ?, ?, ?, ?)').run(ctx.accountId, p.arn, versionId, input.PolicyDocument, now);
    ctx.db.prepare(`UPDATE iam_policies SET next_version = next_version + 1, update_date = ?${input.SetAsDefault ? ', default_version = ?' : ''} WHERE account_id = ? AND arn = ?`)
      .run(...[now, ...(input.SetAsDefault ? [versionId] : []), ctx.accountId, p.arn]);
    return { PolicyVersion: { VersionId: versionId, IsDefaultVersion: input.SetAsDefault ?? false, CreateDate: new Date(now) } };
  },

  GetPolicyVersion(input, ctx) {
    const p = needPolicy(ctx, input.PolicyArn);
    const document = policyDocument(ctx, p, input.VersionId);
    if (document === undefined) throw noSuchEntity(`Policy ${p.arn} version ${input.VersionId} does not exist or is not attachable.`);
    const created = p.aws ? p.updateDate : new Date((ctx.db.prepare('SELECT create_date FROM iam_policy_versions WHERE account_id = ? AND policy_arn = ? AND version_id = ?').get(ctx.accountId, p.arn, input.VersionId) as { create_date: number }).create_date);
    return { PolicyVersion: { Document: encodeURIComponent(document), VersionId: input.VersionId, IsDefaultVersion: input.VersionId === p.defaultVersion, CreateDate: created } };
  },

  ListPolicyVersions(input, ctx) {
    const p = needPolicy(ctx, input.PolicyArn);
    const list = p.aws
      ? [{ VersionId: p.defaultVersion, IsDefaultVersion: true, CreateDate: p.updateDate }]
      : versions(ctx, p.arn).map((v) => ({ VersionId: v.version_id, IsDefaultVersion: v.version_id === p.defaultVersion, CreateDate: new Date(v.create_date) }));
    const { items, ...more } = page(list, input);
    return { Versions: items, ...more };
  },

  DeletePolicyVersion(input, ctx) {
    const p = customerPolicy(ctx, input.PolicyArn);
    if (input.VersionId === p.defaultVersion) throw deleteConflict('Cannot delete the default version of a policy.');
    const deleted = ctx.db.prepare('DELETE FROM iam_policy_versions WHERE account_id = ? AND policy_arn = ? AND version_id = ?').run(ctx.accountId, p.arn, input.VersionId);
    if (deleted.changes === 0) throw noSuchEntity(`Policy ${p.arn} version ${input.VersionId} does not exist or is not deletable.`);
  },

  SetDefaultPolicyVersion(input, ctx) {
    const p = customerPolicy(ctx, input.PolicyArn);
    if (policyDocument(ctx, p, input.VersionId) === undefined) throw noSuchEntity(`Policy ${p.arn} version ${input.VersionId} does not exist or is not attachable.`);
    ctx.db.prepare('UPDATE iam_policies SET default_version = ?, update_date = ? WHERE account_id = ? AND arn = ?').run(input.VersionId, ctx.clock.now(), ctx.accountId, p.arn);
  },

  TagPolicy(input, ctx) {
    putTags(ctx, 'policy', customerPolicy(ctx, input.PolicyArn).arn, input.Tags);
  },

  UntagPolicy(input, ctx) {
    removeTags(ctx, 'policy', customerPolicy(ctx, input.PolicyArn).arn, input.TagKeys);
  },

  ListPolicyTags(input, ctx) {
    const p = needPolicy(ctx, input.PolicyArn);
    const { items, ...more } = page(p.aws ? [] : getTags(ctx, 'policy', p.arn), input);
    return { Tags: items, ...more };
  },

  ListEntitiesForPolicy(input, ctx) {
    const p = needPolicy(ctx, input.PolicyArn);
    const rows = ctx.db.prepare('SELECT entity_type, entity_name FROM iam_attachments WHERE account_id = ? AND policy_arn = ? ORDER BY entity_name').all(ctx.accountId, p.arn) as { entity_type: string; entity_name: string }[];
    const filter = input.EntityFilter;
    const idOf = (type: string, name: string) => (ctx.db.prepare(`SELECT id FROM iam_${type}s WHERE account_id = ? AND name = ?`).get(ctx.accountId, name) as { id: string }).id;
    const pick = (type: string, f: string) => (filter === undefined || filter === f ? rows.filter((r) => r.entity_type === type) : []);
    return {
      PolicyUsers: pick('user', 'User').map((r) => ({ UserName: r.entity_name, UserId: idOf('user', r.entity_name) })),
      PolicyGroups: pick('group', 'Group').map((r) => ({ GroupName: r.entity_name, GroupId: idOf('group', r.entity_name) })),
      PolicyRoles: pick('role', 'Role').map((r) => ({ RoleName: r.entity_name, RoleId: idOf('role', r.entity_name) })),
      IsTruncated: false,
    };
  },
};
