import { randomUUID } from 'node:crypto';
import { formatArn } from '../../arn.js';
import { AwsError } from '../../protocols/errors.js';
import type { Operations } from '../../generated/types/sns.js';
import type { Handlers, RequestContext, ServiceEnv } from '../service.js';
import { pageToken, readPageToken, PAGE_SIZE } from './paging.js';
import { store } from './store.js';
import { invalidParameter } from './topic.js';

/**
 * Mobile push: platform applications and their device endpoints. Nimbus talks to no push
 * service; a message published to an endpoint lands in the outbox, as email and SMS do.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-mobile-application-as-subscriber.html
 */
const PLATFORMS = new Set(['ADM', 'APNS', 'APNS_SANDBOX', 'APNS_VOIP', 'APNS_VOIP_SANDBOX', 'BAIDU', 'GCM', 'MPNS', 'WNS']);
/** Credentials are write-only: AWS never returns them. */
const SECRET = new Set(['PlatformCredential', 'PlatformPrincipal']);

interface Row {
  arn: string;
  attributes: string;
}

const endpointNotFound = () => new AwsError('NotFound', 'Endpoint does not exist');
const applicationNotFound = () => new AwsError('NotFound', 'PlatformApplication does not exist');

function application(ctx: RequestContext, arn: string): Record<string, string> {
  const row = store(ctx).db.prepare('SELECT arn, attributes FROM sns_platform_applications WHERE arn = ?').get(arn) as Row | undefined;
  if (!row) throw applicationNotFound();
  return JSON.parse(row.attributes) as Record<string, string>;
}

function endpointAttributes(env: ServiceEnv, arn: string): Record<string, string> | undefined {
  const row = store(env).db.prepare('SELECT arn, attributes FROM sns_platform_endpoints WHERE arn = ?').get(arn) as Row | undefined;
  return row ? JSON.parse(row.attributes) as Record<string, string> : undefined;
}

const visible = (attrs: Record<string, string>) => Object.fromEntries(Object.entries(attrs).filter(([k]) => !SECRET.has(k)));

function checkEndpointAttributes(attrs: Record<string, string>): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (!['CustomUserData', 'Enabled', 'Token'].includes(k)) throw invalidParameter(`Attributes Reason: Invalid attribute name: ${k}`);
    if (k === 'Enabled' && v !== 'true' && v !== 'false') throw invalidParameter('Attributes Reason: Enabled must be true or false');
  }
}

/** The platform an endpoint ARN names (`...:endpoint/GCM/app/id` is GCM): its key in a MessageStructure json message. */
const platformOf = (endpointArn: string) => endpointArn.split(':').slice(5).join(':').split('/')[1] ?? '';

/** Delivers to a device endpoint: the outbox, unless the endpoint is disabled. */
export function pushToEndpoint(env: ServiceEnv, endpointArn: string, message: string | Record<string, string>, messageId: string, subscription?: { arn: string; topicArn: string }): void {
  const attrs = endpointAttributes(env, endpointArn);
  if (!attrs) throw endpointNotFound();
  if (attrs['Enabled'] === 'false') throw new AwsError('EndpointDisabled', 'Endpoint is disabled');
  const text = typeof message === 'string' ? message : message[platformOf(endpointArn)] ?? message['default']!;
  const arn = endpointArn.split(':');
  store(env).insertOutbox({
    account_id: arn[4]!, region: arn[3]!, protocol: 'application', endpoint: endpointArn, topic_arn: subscription?.topicArn ?? null,
    subscription_arn: subscription?.arn ?? null, message_id: messageId, subject: null, message: text, sent_at: env.clock.now(),
  });
}

export const platformHandlers: Handlers<Operations> = {
  CreatePlatformApplication(input, ctx) {
    if (!/^[A-Za-z0-9_.-]{1,256}$/.test(input.Name)) throw invalidParameter('Name');
    if (!PLATFORMS.has(input.Platform)) throw invalidParameter(`Platform Reason: ${input.Platform} is not supported`);
    if (!input.Attributes['PlatformCredential']) throw invalidParameter('Attributes Reason: PlatformCredential attribute is required');
    const arn = formatArn({ service: 'sns', region: ctx.region, account: ctx.accountId, resource: `app/${input.Platform}/${input.Name}` });
    store(ctx).db.prepare(`INSERT INTO sns_platform_applications (arn, account_id, region, attributes, created_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (arn) DO UPDATE SET attributes = excluded.attributes`)
      .run(arn, ctx.accountId, ctx.region, JSON.stringify({ Enabled: 'true', ...input.Attributes }), ctx.clock.now());
    return { PlatformApplicationArn: arn };
  },

  GetPlatformApplicationAttributes(input, ctx) {
    return { Attributes: visible(application(ctx, input.PlatformApplicationArn)) };
  },

  SetPlatformApplicationAttributes(input, ctx) {
    const attrs = { ...application(ctx, input.PlatformApplicationArn), ...input.Attributes };
    store(ctx).db.prepare('UPDATE sns_platform_applications SET attributes = ? WHERE arn = ?').run(JSON.stringify(attrs), input.PlatformApplicationArn);
  },

  ListPlatformApplications(input, ctx) {
    const rows = store(ctx).db.prepare('SELECT arn, attributes FROM sns_platform_applications WHERE account_id = ? AND region = ? AND arn > ? ORDER BY arn LIMIT ?')
      .all(ctx.accountId, ctx.region, readPageToken(input.NextToken), PAGE_SIZE + 1) as Row[];
    const page = rows.slice(0, PAGE_SIZE);
    return {
      PlatformApplications: page.map((r) => ({ PlatformApplicationArn: r.arn, Attributes: visible(JSON.parse(r.attributes) as Record<string, string>) })),
      ...(rows.length > PAGE_SIZE ? { NextToken: pageToken(page[page.length - 1]!.arn) } : {}),
    };
  },

  DeletePlatformApplication(input, ctx) {
    const db = store(ctx).db;
    db.transaction(() => {
      db.prepare('DELETE FROM sns_platform_endpoints WHERE application_arn = ?').run(input.PlatformApplicationArn);
      db.prepare('DELETE FROM sns_platform_applications WHERE arn = ?').run(input.PlatformApplicationArn);
    })();
  },

  CreatePlatformEndpoint(input, ctx) {
    application(ctx, input.PlatformApplicationArn);
    const attrs: Record<string, string> = { Enabled: 'true', ...input.Attributes, Token: input.Token, ...(input.CustomUserData !== undefined ? { CustomUserData: input.CustomUserData } : {}) };
    checkEndpointAttributes(attrs);
    const db = store(ctx).db;
    // The same device token answers the same endpoint, unless its attributes differ. https://docs.aws.amazon.com/sns/latest/api/API_CreatePlatformEndpoint.html
    const existing = db.prepare('SELECT arn, attributes FROM sns_platform_endpoints WHERE application_arn = ? AND token = ?')
      .get(input.PlatformApplicationArn, input.Token) as Row | undefined;
    if (existing) {
      if (existing.attributes !== JSON.stringify(attrs)) {
        throw invalidParameter(`Token Reason: Endpoint ${existing.arn} already exists with the same Token, but different attributes.`);
      }
      return { EndpointArn: existing.arn };
    }
    const arn = input.PlatformApplicationArn.replace(':app/', ':endpoint/') + `/${randomUUID()}`;
    db.prepare('INSERT INTO sns_platform_endpoints (arn, application_arn, token, attributes, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(arn, input.PlatformApplicationArn, input.Token, JSON.stringify(attrs), ctx.clock.now());
    return { EndpointArn: arn };
  },

  GetEndpointAttributes(input, ctx) {
    const attrs = endpointAttributes(ctx, input.EndpointArn);
    if (!attrs) throw endpointNotFound();
    return { Attributes: attrs };
  },

  SetEndpointAttributes(input, ctx) {
    const current = endpointAttributes(ctx, input.EndpointArn);
    if (!current) throw endpointNotFound();
    checkEndpointAttributes(input.Attributes);
    const attrs = { ...current, ...input.Attributes };
    store(ctx).db.prepare('UPDATE sns_platform_endpoints SET attributes = ?, token = ? WHERE arn = ?').run(JSON.stringify(attrs), attrs['Token'], input.EndpointArn);
  },

  ListEndpointsByPlatformApplication(input, ctx) {
    application(ctx, input.PlatformApplicationArn);
    const rows = store(ctx).db.prepare('SELECT arn, attributes FROM sns_platform_endpoints WHERE application_arn = ? AND arn > ? ORDER BY arn LIMIT ?')
      .all(input.PlatformApplicationArn, readPageToken(input.NextToken), PAGE_SIZE + 1) as Row[];
    const page = rows.slice(0, PAGE_SIZE);
    return {
      Endpoints: page.map((r) => ({ EndpointArn: r.arn, Attributes: JSON.parse(r.attributes) as Record<string, string> })),
      ...(rows.length > PAGE_SIZE ? { NextToken: pageToken(page[page.length - 1]!.arn) } : {}),
    };
  },

  DeleteEndpoint(input, ctx) {
    // Deleting an endpoint that does not exist succeeds: the call is idempotent.
    store(ctx).db.prepare('DELETE FROM sns_platform_endpoints WHERE arn = ?').run(input.EndpointArn);
  },
};
