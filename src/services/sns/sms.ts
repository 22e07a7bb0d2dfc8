import { randomInt, randomUUID } from 'node:crypto';
import { AwsError } from '../../protocols/errors.js';
import type { Operations } from '../../generated/types/sns.js';
import type { Handlers, InternalRoute, RequestContext, ServiceEnv } from '../service.js';
import { PAGE_SIZE } from './paging.js';
import { store } from './store.js';
import { invalidParameter } from './topic.js';

/** Account SMS settings. https://docs.aws.amazon.com/sns/latest/api/API_SetSMSAttributes.html */
const SMS_ATTRIBUTES: Record<string, (v: string) => boolean> = {
  MonthlySpendLimit: (v) => /^\d+$/.test(v),
  DeliveryStatusIAMRole: (v) => v === '' || v.startsWith('arn:'),
  DeliveryStatusSuccessSamplingRate: (v) => /^\d+$/.test(v) && Number(v) <= 100,
  DefaultSenderID: (v) => /^[A-Za-z0-9]{1,11}$/.test(v) && /[A-Za-z]/.test(v),
  DefaultSMSType: (v) => v === 'Promotional' || v === 'Transactional',
  UsageReportS3Bucket: (v) => v === '' || /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v),
};

const E164 = /^\+[1-9]\d{4,14}$/;

interface SandboxRow {
  phone_number: string;
  status: 'Pending' | 'Verified';
  one_time_password: string;
}

const sandboxRow = (ctx: RequestContext, phone: string) => store(ctx).db
  .prepare('SELECT phone_number, status, one_time_password FROM sns_sandbox_numbers WHERE account_id = ? AND region = ? AND phone_number = ?')
  .get(ctx.accountId, ctx.region, phone) as SandboxRow | undefined;

/**
 * SMS settings and the SMS sandbox's verified destination numbers. Nimbus accounts are not in the
 * sandbox (Publish reaches any number's outbox), but the numbers can be added and verified as on
 * AWS: the one-time password arrives in the outbox.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-sms-sandbox.html
 */
/** Whether the owner of a phone number replied STOP to this account's messages in this region. */
export function optedOut(env: ServiceEnv, account: string, region: string, phone: string): boolean {
  return store(env).db.prepare('SELECT 1 FROM sns_opted_out WHERE account_id = ? AND region = ? AND phone_number = ?').get(account, region, phone) !== undefined;
}

/**
 * POST /_nimbus/sns/opt-out?phoneNumber=+15555550100 (and `accountId`, `region`): the phone's
 * owner replies STOP, as only a real handset could on AWS. SMS to the number stop until
 * OptInPhoneNumber.
 */
export const optOut: InternalRoute = ({ method, query }, env) => {
  if (method !== 'POST') return { status: 405, body: { error: 'MethodNotAllowed', message: 'Use POST.' } };
  const phone = query.get('phoneNumber') ?? '';
  if (!E164.test(phone)) return { status: 400, body: { error: 'BadRequest', message: 'Give phoneNumber in E.164 format, e.g. +15555550100.' } };
  const account = query.get('accountId') ?? env.defaultAccountId;
  const region = query.get('region') ?? env.defaultRegion;
  store(env).db.prepare(`INSERT INTO sns_opted_out (account_id, region, phone_number, opted_out_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (account_id, region, phone_number) DO NOTHING`).run(account, region, phone, env.clock.now());
  return { status: 200, body: { optedOut: phone, accountId: account, region } };
};

function checkPhone(phone: string): void {
  if (!E164.test(phone)) throw invalidParameter('PhoneNumber Reason: input incorrectly formatted');
}

export const smsHandlers: Handlers<Operations> = {
  CheckIfPhoneNumberIsOptedOut(input, ctx) {
    checkPhone(input.phoneNumber);
    return { isOptedOut: optedOut(ctx, ctx.accountId, ctx.region, input.phoneNumber) };
  },

  ListPhoneNumbersOptedOut(input, ctx) {
    const after = input.nextToken ? Buffer.from(input.nextToken, 'base64').toString('utf8') : '';
    const rows = store(ctx).db.prepare(`SELECT phone_number FROM sns_opted_out WHERE account_id = ? AND region = ? AND phone_number > ?
      ORDER BY phone_number LIMIT ?`).all(ctx.accountId, ctx.region, after, PAGE_SIZE + 1) as { phone_number: string }[];
    const page = rows.slice(0, PAGE_SIZE);
    return {
      phoneNumbers: page.map((r) => r.phone_number),
      ...(rows.length > PAGE_SIZE ? { nextToken: Buffer.from(page[page.length - 1]!.phone_number).toString('base64') } : {}),
    };
  },

  OptInPhoneNumber(input, ctx) {
    checkPhone(input.phoneNumber);
    store(ctx).db.prepare('DELETE FROM sns_opted_out WHERE account_id = ? AND region = ? AND phone_number = ?').run(ctx.accountId, ctx.region, input.phoneNumber);
    return {};
  },

  SetSMSAttributes(input, ctx) {
    const upsert = store(ctx).db.prepare(`INSERT INTO sns_sms_attributes (account_id, region, name, value) VALUES (?, ?, ?, ?)
      ON CONFLICT (account_id, region, name) DO UPDATE SET value = excluded.value`);
    for (const [name, value] of Object.entries(input.attributes)) {
      const valid = SMS_ATTRIBUTES[name];
      if (!valid) throw invalidParameter(`${name}`);
      if (!valid(value)) throw invalidParameter(`${name} Reason: ${value} is not a valid value`);
    }
    for (const [name, value] of Object.entries(input.attributes)) upsert.run(ctx.accountId, ctx.region, name, value);
    return {};
  },

  GetSMSAttributes(input, ctx) {
    const rows = store(ctx).db.prepare('SELECT name, value FROM sns_sms_attributes WHERE account_id = ? AND region = ? ORDER BY name')
      .all(ctx.accountId, ctx.region) as { name: string; value: string }[];
    const wanted = input.attributes && input.attributes.length > 0 ? new Set(input.attributes) : undefined;
    return { attributes: Object.fromEntries(rows.filter((r) => !wanted || wanted.has(r.name)).map((r) => [r.name, r.value])) };
  },

  GetSMSSandboxAccountStatus: () => ({ IsInSandbox: false }),

  // Origination numbers are bought from AWS End User Messaging; a Nimbus account owns none.
  ListOriginationNumbers(input) {
    if (input.MaxResults !== undefined && (input.MaxResults < 1 || input.MaxResults > 30)) throw new AwsError('ValidationException', 'MaxResults must be between 1 and 30');
    return { PhoneNumbers: [] };
  },

  CreateSMSSandboxPhoneNumber(input, ctx) {
    if (!E164.test(input.PhoneNumber)) throw invalidParameter('PhoneNumber Reason: Phone number must be in E.164 format');
    if (sandboxRow(ctx, input.PhoneNumber)?.status === 'Verified') return {};
    const otp = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const now = ctx.clock.now();
    const s = store(ctx);
    s.db.prepare(`INSERT INTO sns_sandbox_numbers (account_id, region, phone_number, status, one_time_password, created_at) VALUES (?, ?, ?, 'Pending', ?, ?)
      ON CONFLICT (account_id, region, phone_number) DO UPDATE SET one_time_password = excluded.one_time_password`)
      .run(ctx.accountId, ctx.region, input.PhoneNumber, otp, now);
    s.insertOutbox({
      account_id: ctx.accountId, region: ctx.region, protocol: 'sms', endpoint: input.PhoneNumber, topic_arn: null, subscription_arn: null,
      message_id: randomUUID(), subject: null, message: `Your Amazon SNS verification code is: ${otp}`, sent_at: now,
    });
    return {};
  },

  VerifySMSSandboxPhoneNumber(input, ctx) {
    const row = sandboxRow(ctx, input.PhoneNumber);
    if (!row) throw new AwsError('ResourceNotFound', 'The phone number is not in the SMS sandbox of this account.');
    if (row.status !== 'Verified' && row.one_time_password !== input.OneTimePassword) {
      throw new AwsError('VerificationException', 'Invalid one-time password.', { fields: { Status: 'Pending' } });
    }
    store(ctx).db.prepare(`UPDATE sns_sandbox_numbers SET status = 'Verified' WHERE account_id = ? AND region = ? AND phone_number = ?`)
      .run(ctx.accountId, ctx.region, input.PhoneNumber);
    return {};
  },

  ListSMSSandboxPhoneNumbers(input, ctx) {
    const max = input.MaxResults ?? 100;
    const after = input.NextToken ? Buffer.from(input.NextToken, 'base64').toString('utf8') : '';
    const rows = store(ctx).db.prepare(`SELECT phone_number, status FROM sns_sandbox_numbers WHERE account_id = ? AND region = ? AND phone_number > ?
      ORDER BY phone_number LIMIT ?`).all(ctx.accountId, ctx.region, after, max + 1) as SandboxRow[];
    const page = rows.slice(0, max);
    return {
      PhoneNumbers: page.map((r) => ({ PhoneNumber: r.phone_number, Status: r.status })),
      ...(rows.length > max ? { NextToken: Buffer.from(page[page.length - 1]!.phone_number).toString('base64') } : {}),
    };
  },

  DeleteSMSSandboxPhoneNumber(input, ctx) {
    const res = store(ctx).db.prepare('DELETE FROM sns_sandbox_numbers WHERE account_id = ? AND region = ? AND phone_number = ?')
      .run(ctx.accountId, ctx.region, input.PhoneNumber);
    if (res.changes === 0) throw new AwsError('ResourceNotFound', 'The phone number is not in the SMS sandbox of this account.');
    return {};
  },
};
