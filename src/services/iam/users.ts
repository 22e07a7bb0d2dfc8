import { createHash } from 'node:crypto';
import { AwsError } from '../../protocols/errors.js';
import { iamId } from '../../ids.js';
import type { Operations, PasswordPolicy, User } from '../../generated/types/iam.js';
import type { Handlers, RequestContext } from '../service.js';
import { checkBoundary } from './policies.js';
import { checkPath, deleteConflict, ensureNew, getTags, iamArn, need, noSuchEntity, page, putTags, removeTags, toUser, type UserRow } from './model.js';

/** IAM users and their login profiles. https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html */
export const users: Handlers<Operations> = {
  CreateUser(input, ctx) {
    ensureNew(ctx, 'user', input.UserName);
    const path = checkPath(input.Path);
    if (input.PermissionsBoundary) checkBoundary(ctx, input.PermissionsBoundary);
    ctx.db.prepare('INSERT INTO iam_users (account_id, name, id, path, create_date, boundary_arn) VALUES (?, ?, ?, ?, ?, ?)')
      .run(ctx.accountId, input.UserName, iamId('AIDA'), path, ctx.clock.now(), input.PermissionsBoundary ?? null);
    putTags(ctx, 'user', input.UserName, input.Tags);
    return { User: toUser(ctx, need(ctx, 'user', input.UserName), true) };
  },

  GetUser(input, ctx) {
    if (input.UserName) return { User: toUser(ctx, need(ctx, 'user', input.UserName), true) };
    // Without a name, GetUser describes the caller: its own user, or the account's root.
    const own = callerUserName(ctx);
    if (own) return { User: toUser(ctx, need(ctx, 'user', own), true) };
    if (ctx.caller.kind !== 'root') throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials', { status: 400 });
    // IAM describes the root user by id and ARN only.
    return { User: { UserId: ctx.accountId, Arn: `arn:aws:iam::${ctx.accountId}:root`, CreateDate: new Date(0) } as User };
  },

  ListUsers(input, ctx) {
    const rows = ctx.db.prepare('SELECT * FROM iam_users WHERE account_id = ? AND path LIKE ? ORDER BY name').all(ctx.accountId, `${input.PathPrefix ?? '/'}%`) as UserRow[];
    const { items, ...more } = page(rows, input);
    return { Users: items.map((u) => toUser(ctx, u)), ...more };
  },

  UpdateUser(input, ctx) {
    const user = need(ctx, 'user', input.UserName);
    const path = input.NewPath !== undefined ? checkPath(input.NewPath) : user.path;
    const name = input.NewUserName ?? user.name;
    if (name.toLowerCase() !== user.name.toLowerCase()) ensureNew(ctx, 'user', name);
    ctx.db.transaction(() => {
      ctx.db.prepare('UPDATE iam_users SET name = ?, path = ? WHERE account_id = ? AND name = ?').run(name, path, ctx.accountId, user.name);
      if (name !== user.name) renameReferences(ctx, user.name, name);
      // The user's keys act as the renamed user from now on.
      const keys = ctx.db.prepare('SELECT access_key_id FROM iam_access_keys WHERE account_id = ? AND user_name = ?').all(ctx.accountId, name) as { access_key_id: string }[];
      for (const k of keys) ctx.credentials.update(k.access_key_id, { principalArn: iamArn(ctx.accountId, 'user', path, name) });
    })();
  },

  DeleteUser(input, ctx) {
    const user = need(ctx, 'user', input.UserName);
    const has = (sql: string) => ctx.db.prepare(sql).get(ctx.accountId, user.name) !== undefined;
    if (has('SELECT 1 FROM iam_access_keys WHERE account_id = ? AND user_name = ?')) throw deleteConflict('Cannot delete entity, must delete access keys first.');
    if (has("SELECT 1 FROM iam_inline_policies WHERE account_id = ? AND entity_type = 'user' AND entity_name = ?")) throw deleteConflict('Cannot delete entity, must delete policies first.');
    if (has("SELECT 1 FROM iam_attachments WHERE account_id = ? AND entity_type = 'user' AND entity_name = ?")) throw deleteConflict('Cannot delete entity, must detach all policies first.');
    if (has('SELECT 1 FROM iam_group_members WHERE account_id = ? AND user_name = ?')) throw deleteConflict('Cannot delete entity, must remove users from group first.');
    if (has('SELECT 1 FROM iam_login_profiles WHERE account_id = ? AND user_name = ?')) throw deleteConflict('Cannot delete entity, must delete login profile first.');
    if (has('SELECT 1 FROM iam_mfa_devices WHERE account_id = ? AND user_name = ?')) throw deleteConflict('Cannot delete entity, must delete MFA device first.');
    ctx.db.prepare('DELETE FROM iam_users WHERE account_id = ? AND name = ?').run(ctx.accountId, user.name);
    removeTags(ctx, 'user', user.name);
  },

  TagUser(input, ctx) {
    putTags(ctx, 'user', need(ctx, 'user', input.UserName).name, input.Tags);
  },

  UntagUser(input, ctx) {
    removeTags(ctx, 'user', need(ctx, 'user', input.UserName).name, input.TagKeys);
  },

  ListUserTags(input, ctx) {
    const { items, ...more } = page(getTags(ctx, 'user', need(ctx, 'user', input.UserName).name), input);
    return { Tags: items, ...more };
  },

  PutUserPermissionsBoundary(input, ctx) {
    const user = need(ctx, 'user', input.UserName);
    checkBoundary(ctx, input.PermissionsBoundary);
    ctx.db.prepare('UPDATE iam_users SET boundary_arn = ? WHERE account_id = ? AND name = ?').run(input.PermissionsBoundary, ctx.accountId, user.name);
  },

  DeleteUserPermissionsBoundary(input, ctx) {
    const user = need(ctx, 'user', input.UserName);
    ctx.db.prepare('UPDATE iam_users SET boundary_arn = NULL WHERE account_id = ? AND name = ?').run(ctx.accountId, user.name);
  },

  CreateLoginProfile(input, ctx) {
    const user = need(ctx, 'user', input.UserName ?? callerUserName(ctx) ?? '');
    if (loginProfile(ctx, user.name)) throw new AwsError('EntityAlreadyExists', `Login Profile for user ${user.name} already exists.`);
    checkPasswordPolicy(ctx, input.Password ?? '');
    ctx.db.prepare('INSERT INTO iam_login_profiles (account_id, user_name, password_hash, reset_required, create_date) VALUES (?, ?, ?, ?, ?)')
      .run(ctx.accountId, user.name, hashPassword(input.Password ?? ''), input.PasswordResetRequired ? 1 : 0, ctx.clock.now());
    return { LoginProfile: toLoginProfile(loginProfile(ctx, user.name)!) };
  },

  GetLoginProfile(input, ctx) {
    const user = need(ctx, 'user', input.UserName ?? callerUserName(ctx) ?? '');
    const profile = loginProfile(ctx, user.name);
    if (!profile) throw noSuchEntity(`Login Profile for User ${user.name} cannot be found.`);
    return { LoginProfile: toLoginProfile(profile) };
  },

  UpdateLoginProfile(input, ctx) {
    const user = need(ctx, 'user', input.UserName);
    if (!loginProfile(ctx, user.name)) throw noSuchEntity(`Login Profile for User ${user.name} cannot be found.`);
    if (input.Password !== undefined) checkPasswordPolicy(ctx, input.Password);
    if (input.Password !== undefined) ctx.db.prepare('UPDATE iam_login_profiles SET password_hash = ? WHERE account_id = ? AND user_name = ?').run(hashPassword(input.Password), ctx.accountId, user.name);
    if (input.PasswordResetRequired !== undefined) ctx.db.prepare('UPDATE iam_login_profiles SET reset_required = ? WHERE account_id = ? AND user_name = ?').run(input.PasswordResetRequired ? 1 : 0, ctx.accountId, user.name);
  },

  /** A user changes its own console password, knowing the old one. */
  ChangePassword(input, ctx) {
    const name = callerUserName(ctx);
    if (!name) throw new AwsError('InvalidUserType', 'Only IAM users can change their own password.');
    const profile = loginProfile(ctx, name);
    if (!profile) throw noSuchEntity(`Login Profile for User ${name} cannot be found.`);
    if (profile.password_hash !== hashPassword(input.OldPassword)) throw new AwsError('InvalidInput', 'The old password is incorrect.', { status: 403 });
    checkPasswordPolicy(ctx, input.NewPassword);
    ctx.db.prepare('UPDATE iam_login_profiles SET password_hash = ?, reset_required = 0 WHERE account_id = ? AND user_name = ?').run(hashPassword(input.NewPassword), ctx.accountId, name);
  },

  DeleteLoginProfile(input, ctx) {
    const user = need(ctx, 'user', input.UserName ?? callerUserName(ctx) ?? '');
    if (ctx.db.prepare('DELETE FROM iam_login_profiles WHERE account_id = ? AND user_name = ?').run(ctx.accountId, user.name).changes === 0) {
      throw noSuchEntity(`Login Profile for User ${user.name} cannot be found.`);
    }
  },
};

/** The IAM user name of the caller, when the caller is an IAM user of this account. */
export function callerUserName(ctx: RequestContext): string | undefined {
  if (ctx.caller.kind !== 'user' || ctx.caller.accountId !== ctx.accountId) return undefined;
  return ctx.caller.arn.slice(ctx.caller.arn.lastIndexOf('/') + 1);
}

interface LoginProfileRow { user_name: string; password_hash: string; reset_required: number; create_date: number }

function loginProfile(ctx: RequestContext, user: string): LoginProfileRow | undefined {
  return ctx.db.prepare('SELECT * FROM iam_login_profiles WHERE account_id = ? AND user_name = ?').get(ctx.accountId, user) as LoginProfileRow | undefined;
}

function toLoginProfile(p: LoginProfileRow) {
  return { UserName: p.user_name, CreateDate: new Date(p.create_date), PasswordResetRequired: p.reset_required === 1 };
}

/** Console passwords are never used to sign in here; keep only a digest. */
function hashPassword(password: string): string {
  return createHash('sha256').update(password).digest('hex');
}

/** New passwords must satisfy the account's password policy. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html */
function checkPasswordPolicy(ctx: RequestContext, password: string): void {
  const row = ctx.db.prepare('SELECT password_policy FROM iam_account_settings WHERE account_id = ?').get(ctx.accountId) as { password_policy: string | null } | undefined;
  const policy = row?.password_policy ? (JSON.parse(row.password_policy) as PasswordPolicy) : { MinimumPasswordLength: 8 };
  const broken = [
    password.length < (policy.MinimumPasswordLength ?? 8) && `must be at least ${policy.MinimumPasswordLength ?? 8} characters long`,
    policy.RequireSymbols && !/[^A-Za-z0-9]/.test(password) && 'must contain at least one symbol',
    policy.RequireNumbers && !/[0-9]/.test(password) && 'must contain at least one number',
    policy.RequireUppercaseCharacters && !/[A-Z]/.test(password) && 'must contain at least one uppercase letter',
    policy.RequireLowercaseCharacters && !/[a-z]/.test(password) && 'must contain at least one lowercase letter',
  ].filter(Boolean);
  if (broken.length) throw new AwsError('PasswordPolicyViolation', `Password does not conform to the account password policy: it ${broken.join(', ')}.`);
}

function renameReferences(ctx: RequestContext, from: string, to: string): void {
  for (const sql of [
    'UPDATE iam_group_members SET user_name = ? WHERE account_id = ? AND user_name = ?',
    "UPDATE iam_attachments SET entity_name = ? WHERE account_id = ? AND entity_type = 'user' AND entity_name = ?",
    "UPDATE iam_inline_policies SET entity_name = ? WHERE account_id = ? AND entity_type = 'user' AND entity_name = ?",
    "UPDATE iam_tags SET resource_name = ? WHERE account_id = ? AND resource_type = 'user' AND resource_name = ?",
    'UPDATE iam_access_keys SET user_name = ? WHERE account_id = ? AND user_name = ?',
    'UPDATE iam_login_profiles SET user_name = ? WHERE account_id = ? AND user_name = ?',
    'UPDATE iam_mfa_devices SET user_name = ? WHERE account_id = ? AND user_name = ?',
  ]) ctx.db.prepare(sql).run(to, ctx.accountId, from);
}

