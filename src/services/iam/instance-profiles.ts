import { AwsError } from '../../protocols/errors.js';
import { iamId } from '../../ids.js';
import type { InstanceProfile, Operations } from '../../generated/types/iam.js';
import type { Handlers, RequestContext } from '../service.js';
import { alreadyExists, checkName, checkPath, getTags, iamArn, need, noSuchEntity, page, putTags, removeTags, toRole, type RoleRow } from './model.js';

/** Instance profiles: the container that passes one role to an EC2 instance. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html */

interface ProfileRow { account_id: string; name: string; id: string; path: string; create_date: number }

function profile(ctx: RequestContext, name: string): ProfileRow {
  const row = ctx.db.prepare('SELECT * FROM iam_instance_profiles WHERE account_id = ? AND lower(name) = lower(?)').get(ctx.accountId, name) as ProfileRow | undefined;
  if (!row) throw noSuchEntity(`Instance Profile ${name} cannot be found.`);
  return row;
}

/** The instance profiles that hold a role (GetAccountAuthorizationDetails lists them per role). */
export function profilesForRole(ctx: RequestContext, role: string): InstanceProfile[] {
  const rows = ctx.db.prepare(`SELECT p.* FROM iam_instance_profiles p JOIN iam_instance_profile_roles x ON x.account_id = p.account_id AND x.profile_name = p.name
    WHERE x.account_id = ? AND x.role_name = ? ORDER BY p.name`).all(ctx.accountId, role) as ProfileRow[];
  return rows.map((p) => toProfile(ctx, p));
}

function toProfile(ctx: RequestContext, p: ProfileRow, withTags = false): InstanceProfile {
  const roles = ctx.db.prepare(`SELECT r.* FROM iam_roles r JOIN iam_instance_profile_roles x ON x.account_id = r.account_id AND x.role_name = r.name
    WHERE x.account_id = ? AND x.profile_name = ?`).all(ctx.accountId, p.name) as RoleRow[];
  const tags = withTags ? getTags(ctx, 'instance-profile', p.name) : [];
  return {
    Path: p.path, InstanceProfileName: p.name, InstanceProfileId: p.id, Arn: iamArn(p.account_id, 'instance-profile', p.path, p.name),
    CreateDate: new Date(p.create_date), Roles: roles.map((r) => toRole(ctx, r)), ...(tags.length ? { Tags: tags } : {}),
  };
}

export const instanceProfiles: Handlers<Operations> = {
  CreateInstanceProfile(input, ctx) {
    checkName(input.InstanceProfileName, 'instanceProfileName');
    if (ctx.db.prepare('SELECT 1 FROM iam_instance_profiles WHERE account_id = ? AND lower(name) = lower(?)').get(ctx.accountId, input.InstanceProfileName)) {
      throw alreadyExists(`Instance Profile ${input.InstanceProfileName} already exists.`);
    }
    const path = checkPath(input.Path);
    ctx.db.prepare('INSERT INTO iam_instance_profiles (account_id, name, id, path, create_date) VALUES (?, ?, ?, ?, ?)').run(ctx.accountId, input.InstanceProfileName, iamId('AIPA'), path, ctx.clock.now());
    putTags(ctx, 'instance-profile', input.InstanceProfileName, input.Tags);
    return { InstanceProfile: toProfile(ctx, profile(ctx, input.InstanceProfileName), true) };
  },

  GetInstanceProfile: (input, ctx) => ({ InstanceProfile: toProfile(ctx, profile(ctx, input.InstanceProfileName), true) }),

  ListInstanceProfiles(input, ctx) {
    const rows = ctx.db.prepare('SELECT * FROM iam_instance_profiles WHERE account_id = ? AND path LIKE ? ORDER BY name').all(ctx.accountId, `${input.PathPrefix ?? '/'}%`) as ProfileRow[];
    const { items, ...more } = page(rows, input);
    return { InstanceProfiles: items.map((p) => toProfile(ctx, p)), ...more };
  },

  ListInstanceProfilesForRole(input, ctx) {
    const { items, ...more } = page(profilesForRole(ctx, need(ctx, 'role', input.RoleName).name), input);
    return { InstanceProfiles: items, ...more };
  },

  DeleteInstanceProfile(input, ctx) {
    const p = profile(ctx, input.InstanceProfileName);
    if (ctx.db.prepare('SELECT 1 FROM iam_instance_profile_roles WHERE account_id = ? AND profile_name = ?').get(ctx.accountId, p.name)) {
      throw new AwsError('DeleteConflict', 'Cannot delete entity, must remove roles from instance profile first.');
    }
    ctx.db.prepare('DELETE FROM iam_instance_profiles WHERE account_id = ? AND name = ?').run(ctx.accountId, p.name);
    removeTags(ctx, 'instance-profile', p.name);
  },

  AddRoleToInstanceProfile(input, ctx) {
    const p = profile(ctx, input.InstanceProfileName);
    const role = need(ctx, 'role', input.RoleName);
    // An instance profile holds at most one role. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
    if (ctx.db.prepare('SELECT 1 FROM iam_instance_profile_roles WHERE account_id = ? AND profile_name = ?').get(ctx.accountId, p.name)) {
      throw new AwsError('LimitExceeded', 'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
    }
    ctx.db.prepare('INSERT INTO iam_instance_profile_roles (account_id, profile_name, role_name) VALUES (?, ?, ?)').run(ctx.accountId, p.name, role.name);
  },

  RemoveRoleFromInstanceProfile(input, ctx) {
    const p = profile(ctx, input.InstanceProfileName);
    const role = need(ctx, 'role', input.RoleName);
    const gone = ctx.db.prepare('DELETE FROM iam_instance_profile_roles WHERE account_id = ? AND profile_name = ? AND role_name = ?').run(ctx.accountId, p.name, role.name);
    if (gone.changes === 0) throw noSuchEntity(`Role ${role.name} in Instance Profile ${p.name} cannot be found.`);
  },

  TagInstanceProfile(input, ctx) {
    putTags(ctx, 'instance-profile', profile(ctx, input.InstanceProfileName).name, input.Tags);
  },

  UntagInstanceProfile(input, ctx) {
    removeTags(ctx, 'instance-profile', profile(ctx, input.InstanceProfileName).name, input.TagKeys);
  },

  ListInstanceProfileTags(input, ctx) {
    const { items, ...more } = page(getTags(ctx, 'instance-profile', profile(ctx, input.InstanceProfileName).name), input);
    return { Tags: items, ...more };
  },
};
