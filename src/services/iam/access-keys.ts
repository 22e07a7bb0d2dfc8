import { AwsError } from '../../protocols/errors.js';
import { iamId, secretAccessKey } from '../../ids.js';
import type { Operations } from '../../generated/types/iam.js';
import type { Handlers, RequestContext } from '../service.js';
import { iamArn, need, noSuchEntity, page } from './model.js';
import { callerUserName } from './users.js';

/**
 * Long-term access keys of IAM users. The secret lives in the core credential store, which the
 * gateway checks on every signed request, so a key signs as its user from the moment it exists.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
 */

/** Each user may have two keys at a time. */
const KEYS_PER_USER = 2;

interface KeyRow { access_key_id: string; user_name: string; status: 'Active' | 'Inactive'; create_date: number }

/** The user a key operation is about: the named one, or the calling user itself. */
function keyOwner(ctx: RequestContext, name: string | undefined) {
  const own = name ?? callerUserName(ctx);
  if (own === undefined) {
    if (ctx.caller.kind === 'root') throw new AwsError('ValidationError', 'Nimbus keeps no access keys for the root user; name a user with --user-name.', { status: 400 });
    throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials', { status: 400 });
  }
  return need(ctx, 'user', own);
}

function key(ctx: RequestContext, user: string, id: string): KeyRow {
  const row = ctx.db.prepare('SELECT * FROM iam_access_keys WHERE account_id = ? AND user_name = ? AND access_key_id = ?').get(ctx.accountId, user, id) as KeyRow | undefined;
  if (!row) throw noSuchEntity(`The Access Key with id ${id} cannot be found.`);
  return row;
}

export const accessKeys: Handlers<Operations> = {
  CreateAccessKey(input, ctx) {
    const user = keyOwner(ctx, input.UserName);
    const count = ctx.db.prepare('SELECT COUNT(*) AS n FROM iam_access_keys WHERE account_id = ? AND user_name = ?').get(ctx.accountId, user.name) as { n: number };
    if (count.n >= KEYS_PER_USER) throw new AwsError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${KEYS_PER_USER}`);
    const now = ctx.clock.now();
    const id = iamId('AKIA');
    const secret = secretAccessKey();
    ctx.db.prepare('INSERT INTO iam_access_keys (access_key_id, account_id, user_name, status, create_date) VALUES (?, ?, ?, ?, ?)').run(id, ctx.accountId, user.name, 'Active', now);
    ctx.credentials.add({ accessKeyId: id, secretAccessKey: secret, accountId: ctx.accountId, principalArn: iamArn(ctx.accountId, 'user', user.path, user.name), userId: user.id, active: true }, now);
    return { AccessKey: { UserName: user.name, AccessKeyId: id, Status: 'Active', SecretAccessKey: secret, CreateDate: new Date(now) } };
  },

  ListAccessKeys(input, ctx) {
    const user = keyOwner(ctx, input.UserName);
    const rows = ctx.db.prepare('SELECT * FROM iam_access_keys WHERE account_id = ? AND user_name = ? ORDER BY create_date').all(ctx.accountId, user.name) as KeyRow[];
    const { items, ...more } = page(rows, input);
    return { AccessKeyMetadata: items.map((k) => ({ UserName: k.user_name, AccessKeyId: k.access_key_id, Status: k.status, CreateDate: new Date(k.create_date) })), ...more };
  },

  UpdateAccessKey(input, ctx) {
    const user = keyOwner(ctx, input.UserName);
    key(ctx, user.name, input.AccessKeyId);
    ctx.db.prepare('UPDATE iam_access_keys SET status = ? WHERE access_key_id = ?').run(input.Status, input.AccessKeyId);
    ctx.credentials.update(input.AccessKeyId, { active: input.Status === 'Active' });
  },

  DeleteAccessKey(input, ctx) {
    const user = keyOwner(ctx, input.UserName);
    key(ctx, user.name, input.AccessKeyId);
    ctx.db.prepare('DELETE FROM iam_access_keys WHERE access_key_id = ?').run(input.AccessKeyId);
    ctx.credentials.remove(input.AccessKeyId);
  },

  GetAccessKeyLastUsed(input, ctx) {
    const row = ctx.db.prepare('SELECT user_name FROM iam_access_keys WHERE access_key_id = ? AND account_id = ?').get(input.AccessKeyId, ctx.accountId) as { user_name: string } | undefined;
    if (!row) throw new AwsError('AccessDenied', 'The access key is not owned by this account.', { status: 403 });
    const used = ctx.credentials.get(input.AccessKeyId)?.lastUsed;
    // A key never used answers N/A, as in IAM.
    return { UserName: row.user_name, AccessKeyLastUsed: used ? { LastUsedDate: new Date(used.at), ServiceName: used.service, Region: used.region } : { ServiceName: 'N/A', Region: 'N/A' } };
  },
};
