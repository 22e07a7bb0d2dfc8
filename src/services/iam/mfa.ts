import { AwsError } from '../../protocols/errors.js';
import { matchingStep, newSeed, stepOf, totp } from '../../iam/totp.js';
import type { Operations, VirtualMFADevice } from '../../generated/types/iam.js';
import type { Handlers, RequestContext, ServiceEnv } from '../service.js';
import { alreadyExists, checkPath, getTags, need, noSuchEntity, page, putTags, removeTags, toUser } from './model.js';
import { callerUserName } from './users.js';

/**
 * Virtual MFA devices: a seed IAM shares with an authenticator app, enabled for a user with two
 * consecutive codes; STS then accepts the user's codes and marks the session as MFA-authenticated.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html
 */

interface DeviceRow { serial: string; seed: string; user_name: string | null; enable_date: number | null; last_step: number | null; create_date: number }

function device(ctx: RequestContext, serial: string): DeviceRow {
  const row = ctx.db.prepare('SELECT * FROM iam_mfa_devices WHERE account_id = ? AND serial = ?').get(ctx.accountId, serial) as DeviceRow | undefined;
  if (!row) throw noSuchEntity(`VirtualMFADevice with serial number ${serial} doesn't exist.`);
  return row;
}

function toDevice(ctx: RequestContext, d: DeviceRow, withSeed = false): VirtualMFADevice {
  const tags = getTags(ctx, 'mfa', d.serial);
  return {
    SerialNumber: d.serial,
    ...(withSeed ? { Base32StringSeed: Buffer.from(d.seed) } : {}),
    ...(d.user_name ? { User: toUser(ctx, need(ctx, 'user', d.user_name)) } : {}),
    ...(d.enable_date ? { EnableDate: new Date(d.enable_date) } : {}),
    ...(tags.length ? { Tags: tags } : {}),
  };
}

/** Two codes of consecutive steps, within a step of the clock; returns the later step. */
function consecutive(seed: string, code1: string, code2: string, now: number): number {
  const current = stepOf(now);
  for (const first of [current - 2, current - 1, current]) {
    if (totp(seed, first) === code1 && totp(seed, first + 1) === code2) return first + 1;
  }
  throw new AwsError('InvalidAuthenticationCode', 'Authentication code for device is not valid.');
}

export const mfaDevices: Handlers<Operations> = {
  CreateVirtualMFADevice(input, ctx) {
    const path = checkPath(input.Path);
    const serial = `arn:aws:iam::${ctx.accountId}:mfa${path}${input.VirtualMFADeviceName}`;
    if (ctx.db.prepare('SELECT 1 FROM iam_mfa_devices WHERE account_id = ? AND serial = ?').get(ctx.accountId, serial)) throw alreadyExists('MFADevice entity at the same path and name already exists.');
    ctx.db.prepare('INSERT INTO iam_mfa_devices (account_id, serial, seed, create_date) VALUES (?, ?, ?, ?)').run(ctx.accountId, serial, newSeed(), ctx.clock.now());
    putTags(ctx, 'mfa', serial, input.Tags);
    return { VirtualMFADevice: toDevice(ctx, device(ctx, serial), true) };
  },

  EnableMFADevice(input, ctx) {
    const user = need(ctx, 'user', input.UserName);
    const d = device(ctx, input.SerialNumber);
    if (d.user_name) throw alreadyExists('MFA Device is already in use.');
    const step = consecutive(d.seed, input.AuthenticationCode1, input.AuthenticationCode2, ctx.clock.now());
    ctx.db.prepare('UPDATE iam_mfa_devices SET user_name = ?, enable_date = ?, last_step = ? WHERE account_id = ? AND serial = ?').run(user.name, ctx.clock.now(), step, ctx.accountId, d.serial);
  },

  ResyncMFADevice(input, ctx) {
    const d = device(ctx, input.SerialNumber);
    if (d.user_name?.toLowerCase() !== input.UserName.toLowerCase()) throw noSuchEntity(`MFA Device with serial number ${input.SerialNumber} does not exist for user ${input.UserName}.`);
    const step = consecutive(d.seed, input.AuthenticationCode1, input.AuthenticationCode2, ctx.clock.now());
    ctx.db.prepare('UPDATE iam_mfa_devices SET last_step = ? WHERE account_id = ? AND serial = ?').run(step, ctx.accountId, d.serial);
  },

  DeactivateMFADevice(input, ctx) {
    const d = device(ctx, input.SerialNumber);
    const user = input.UserName ?? callerUserName(ctx);
    if (!d.user_name || (user !== undefined && d.user_name.toLowerCase() !== user.toLowerCase())) {
      throw noSuchEntity(`MFA Device with serial number ${input.SerialNumber} does not exist for user ${user ?? ''}.`);
    }
    ctx.db.prepare('UPDATE iam_mfa_devices SET user_name = NULL, enable_date = NULL, last_step = NULL WHERE account_id = ? AND serial = ?').run(ctx.accountId, d.serial);
  },

  DeleteVirtualMFADevice(input, ctx) {
    const d = device(ctx, input.SerialNumber);
    if (d.user_name) throw new AwsError('DeleteConflict', 'MFA Device is still in use.');
    ctx.db.prepare('DELETE FROM iam_mfa_devices WHERE account_id = ? AND serial = ?').run(ctx.accountId, d.serial);
    removeTags(ctx, 'mfa', d.serial);
  },

  GetMFADevice(input, ctx) {
    const d = device(ctx, input.SerialNumber);
    return { SerialNumber: d.serial, ...(d.user_name ? { UserName: d.user_name } : {}), ...(d.enable_date ? { EnableDate: new Date(d.enable_date) } : {}) };
  },

  ListMFADevices(input, ctx) {
    const user = need(ctx, 'user', input.UserName ?? callerUserName(ctx) ?? '');
    const rows = ctx.db.prepare('SELECT * FROM iam_mfa_devices WHERE account_id = ? AND user_name = ? ORDER BY serial').all(ctx.accountId, user.name) as DeviceRow[];
    const { items, ...more } = page(rows, input);
    return { MFADevices: items.map((d) => ({ UserName: user.name, SerialNumber: d.serial, EnableDate: new Date(d.enable_date!) })), ...more };
  },

  ListVirtualMFADevices(input, ctx) {
    const status = input.AssignmentStatus ?? 'Any';
    const rows = (ctx.db.prepare('SELECT * FROM iam_mfa_devices WHERE account_id = ? ORDER BY serial').all(ctx.accountId) as DeviceRow[])
      .filter((d) => status === 'Any' || (status === 'Assigned') === (d.user_name !== null));
    const { items, ...more } = page(rows, input);
    return { VirtualMFADevices: items.map((d) => toDevice(ctx, d)), ...more };
  },
};

/**
 * Checks a one-time code for STS (GetSessionToken, AssumeRole with SerialNumber and TokenCode):
 * the device must be enabled for the user, and a code is accepted once.
 */
export function verifyMfaCode(env: Pick<ServiceEnv, 'db' | 'clock'>, userArn: string, serial: string, code: string): boolean {
  const account = serial.split(':')[4];
  const d = env.db.prepare('SELECT * FROM iam_mfa_devices WHERE account_id = ? AND serial = ?').get(account, serial) as DeviceRow | undefined;
  if (!d?.user_name) return false;
  if (!userArn.startsWith(`arn:aws:iam::${account}:user/`) || !userArn.endsWith(`/${d.user_name}`)) return false;
  const step = matchingStep(d.seed, code, env.clock.now());
  if (step === undefined || (d.last_step !== null && step <= d.last_step)) return false;
  env.db.prepare('UPDATE iam_mfa_devices SET last_step = ? WHERE account_id = ? AND serial = ?').run(step, account, serial);
  return true;
}
