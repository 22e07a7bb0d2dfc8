import { randomUUID } from 'node:crypto';
import { AwsError } from '../../protocols/errors.js';
import { iamId } from '../../ids.js';
import type { Operations } from '../../generated/types/iam.js';
import type { Handlers, RequestContext } from '../service.js';
import { checkBoundary } from './policies.js';
import { checkDocument, checkPath, deleteConflict, ensureNew, getTags, need, page, putTags, removeTags, toRole, type RoleRow } from './model.js';

/** IAM roles: trust policies, session limits, service-linked roles. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles.html */

/** Trust policies count against ACLSizePerRole (2048 by default). */
const TRUST_QUOTA = { name: 'ACLSizePerRole', max: 2048 };

/** Roles AWS services create for themselves live under this path and only the service may change them. */
const SERVICE_ROLE_PATH = '/aws-service-role/';

export function mutableRole(ctx: RequestContext, name: string): RoleRow {
  const role = need(ctx, 'role', name);
  if (role.path.startsWith(SERVICE_ROLE_PATH)) {
    throw new AwsError('UnmodifiableEntity', `Cannot perform the operation on the protected role '${role.name}' - this role is only modifiable by AWS`);
  }
  return role;
}

function insertRole(ctx: RequestContext, r: { name: string; path: string; trust: string; description?: string | undefined; maxSession?: number | undefined; boundary?: string | undefined }): void {
  ctx.db.prepare(`INSERT INTO iam_roles (account_id, name, id, path, create_date, trust_policy, description, max_session, boundary_arn)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(ctx.accountId, r.name, iamId('AROA'), r.path, ctx.clock.now(), r.trust, r.description ?? null, r.maxSession ?? 3600, r.boundary ?? null);
}

/** `autoscaling.amazonaws.com` -> `AWSServiceRoleForAutoScaling`, as the services name them. */
const SERVICE_ROLE_NAMES: Record<string, string> = {
  autoscaling: 'AutoScaling', elasticloadbalancing: 'ElasticLoadBalancing', ecs: 'ECS', rds: 'RDS', elasticache: 'ElastiCache',
  'dynamodb.application-autoscaling': 'ApplicationAutoScaling_DynamoDBTable', 'replication.dynamodb': 'DynamoDBReplication',
  spot: 'EC2Spot', spotfleet: 'EC2SpotFleet', 'ops.apigateway': 'APIGateway', lambda: 'Lambda', organizations: 'Organizations',
};

function serviceRoleName(service: string, suffix?: string): string {
  const prefix = service.replace(/\.amazonaws\.com$/, '');
  const base = SERVICE_ROLE_NAMES[prefix] ?? prefix.split(/[.-]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  return `AWSServiceRoleFor${base}${suffix ? `_${suffix}` : ''}`;
}

export const roles: Handlers<Operations> = {
  CreateRole(input, ctx) {
    ensureNew(ctx, 'role', input.RoleName);
    const path = checkPath(input.Path);
    checkDocument(input.AssumeRolePolicyDocument, 'trust', TRUST_QUOTA);
    if (input.PermissionsBoundary) checkBoundary(ctx, input.PermissionsBoundary);
    insertRole(ctx, { name: input.RoleName, path, trust: input.AssumeRolePolicyDocument, description: input.Description, maxSession: input.MaxSessionDuration, boundary: input.PermissionsBoundary });
    putTags(ctx, 'role', input.RoleName, input.Tags);
    return { Role: toRole(ctx, need(ctx, 'role', input.RoleName), false) };
  },

  GetRole: (input, ctx) => ({ Role: toRole(ctx, need(ctx, 'role', input.RoleName), true) }),

  ListRoles(input, ctx) {
    const rows = ctx.db.prepare('SELECT * FROM iam_roles WHERE account_id = ? AND path LIKE ? ORDER BY name').all(ctx.accountId, `${input.PathPrefix ?? '/'}%`) as RoleRow[];
    const { items, ...more } = page(rows, input);
    return { Roles: items.map((r) => toRole(ctx, r)), ...more };
  },

  UpdateRole(input, ctx) {
    const role = mutableRole(ctx, input.RoleName);
    ctx.db.prepare('UPDATE iam_roles SET description = ?, max_session = ? WHERE account_id = ? AND name = ?')
      .run(input.Description ?? role.description, input.MaxSessionDuration ?? role.max_session, ctx.accountId, role.name);
    return {};
  },

  UpdateRoleDescription(input, ctx) {
    const role = mutableRole(ctx, input.RoleName);
    ctx.db.prepare('UPDATE iam_roles SET description = ? WHERE account_id = ? AND name = ?').run(input.Description, ctx.accountId, role.name);
    return { Role: toRole(ctx, need(ctx, 'role', role.name), true) };
  },

  UpdateAssumeRolePolicy(input, ctx) {
    const role = mutableRole(ctx, input.RoleName);
    checkDocument(input.PolicyDocument, 'trust', TRUST_QUOTA);
    ctx.db.prepare('UPDATE iam_roles SET trust_policy = ? WHERE account_id = ? AND name = ?').run(input.PolicyDocument, ctx.accountId, role.name);
  },

  DeleteRole(input, ctx) {
    const role = mutableRole(ctx, input.RoleName);
    const has = (sql: string) => ctx.db.prepare(sql).get(ctx.accountId, role.name) !== undefined;
    if (has('SELECT 1 FROM iam_instance_profile_roles WHERE account_id = ? AND role_name = ?')) throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
    if (has("SELECT 1 FROM iam_inline_policies WHERE account_id = ? AND entity_type = 'role' AND entity_name = ?")) throw deleteConflict('Cannot delete entity, must delete policies first.');
    if (has("SELECT 1 FROM iam_attachments WHERE account_id = ? AND entity_type = 'role' AND entity_name = ?")) throw deleteConflict('Cannot delete entity, must detach all policies first.');
    ctx.db.prepare('DELETE FROM iam_roles WHERE account_id = ? AND name = ?').run(ctx.accountId, role.name);
    removeTags(ctx, 'role', role.name);
  },

  TagRole(input, ctx) {
    putTags(ctx, 'role', need(ctx, 'role', input.RoleName).name, input.Tags);
  },

  UntagRole(input, ctx) {
    removeTags(ctx, 'role', need(ctx, 'role', input.RoleName).name, input.TagKeys);
  },

  ListRoleTags(input, ctx) {
    const { items, ...more } = page(getTags(ctx, 'role', need(ctx, 'role', input.RoleName).name), input);
    return { Tags: items, ...more };
  },

  PutRolePermissionsBoundary(input, ctx) {
    const role = mutableRole(ctx, input.RoleName);
    checkBoundary(ctx, input.PermissionsBoundary);
    ctx.db.prepare('UPDATE iam_roles SET boundary_arn = ? WHERE account_id = ? AND name = ?').run(input.PermissionsBoundary, ctx.accountId, role.name);
  },

  DeleteRolePermissionsBoundary(input, ctx) {
    const role = mutableRole(ctx, input.RoleName);
    ctx.db.prepare('UPDATE iam_roles SET boundary_arn = NULL WHERE account_id = ? AND name = ?').run(ctx.accountId, role.name);
  },

  CreateServiceLinkedRole(input, ctx) {
    if (!/^[a-z0-9.-]+\.amazonaws\.com$/.test(input.AWSServiceName)) {
      throw new AwsError('InvalidInput', `Service name ${input.AWSServiceName} is not a valid service principal.`);
    }
    const name = serviceRoleName(input.AWSServiceName, input.CustomSuffix);
    if (ctx.db.prepare('SELECT 1 FROM iam_roles WHERE account_id = ? AND lower(name) = lower(?)').get(ctx.accountId, name)) {
      throw new AwsError('InvalidInput', `Service role name ${name} has been taken in this account, please try a different suffix.`);
    }
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: input.AWSServiceName }, Action: 'sts:AssumeRole' }] });
    insertRole(ctx, { name, path: `${SERVICE_ROLE_PATH}${input.AWSServiceName}/`, trust, description: input.Description });
    return { Role: toRole(ctx, need(ctx, 'role', name), false) };
  },

  DeleteServiceLinkedRole(input, ctx) {
    const role = need(ctx, 'role', input.RoleName);
    if (!role.path.startsWith(SERVICE_ROLE_PATH)) throw new AwsError('InvalidInput', `Role ${role.name} is not a service-linked role.`);
    ctx.db.prepare('DELETE FROM iam_roles WHERE account_id = ? AND name = ?').run(ctx.accountId, role.name);
    ctx.db.prepare("DELETE FROM iam_attachments WHERE account_id = ? AND entity_type = 'role' AND entity_name = ?").run(ctx.accountId, role.name);
    ctx.db.prepare("DELETE FROM iam_inline_policies WHERE account_id = ? AND entity_type = 'role' AND entity_name = ?").run(ctx.accountId, role.name);
    return { DeletionTaskId: `task${SERVICE_ROLE_PATH}${role.path.slice(SERVICE_ROLE_PATH.length)}${role.name}/${randomUUID()}` };
  },

  GetServiceLinkedRoleDeletionStatus(input) {
    if (!input.DeletionTaskId.startsWith(`task${SERVICE_ROLE_PATH}`)) throw new AwsError('NoSuchEntity', `Deletion task ${input.DeletionTaskId} cannot be found.`);
    // Deletion happens at once, so every task that exists has already succeeded.
    return { Status: 'SUCCEEDED' };
  },
};
