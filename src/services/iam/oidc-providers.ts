import { AwsError } from '../../protocols/errors.js';
import type { Operations } from '../../generated/types/iam.js';
import type { Handlers, RequestContext } from '../service.js';
import { alreadyExists, getTags, noSuchEntity, page, putTags, removeTags } from './model.js';

/**
 * OpenID Connect identity providers: the federated principals that web identity trust
 * policies name (`arn:aws:iam::<account>:oidc-provider/<issuer host and path>`).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
 */

interface ProviderRow { arn: string; url: string; client_ids: string; thumbprints: string; create_date: number }

/** The provider ARN names the issuer URL without its scheme. */
function providerArn(account: string, url: string): string {
  return `arn:aws:iam::${account}:oidc-provider/${url.replace(/^https:\/\//, '').replace(/\/$/, '')}`;
}

function provider(ctx: RequestContext, arn: string): ProviderRow {
  const row = ctx.db.prepare('SELECT * FROM iam_oidc_providers WHERE account_id = ? AND arn = ?').get(ctx.accountId, arn) as ProviderRow | undefined;
  if (!row) throw noSuchEntity(`OpenIDConnect Provider not found for arn ${arn}`);
  return row;
}

function save(ctx: RequestContext, arn: string, column: 'client_ids' | 'thumbprints', list: string[]): void {
  ctx.db.prepare(`UPDATE iam_oidc_providers SET ${column} = ? WHERE account_id = ? AND arn = ?`).run(JSON.stringify(list), ctx.accountId, arn);
}

export const oidcProviders: Handlers<Operations> = {
  CreateOpenIDConnectProvider(input, ctx) {
    if (!input.Url.startsWith('https://')) throw new AwsError('InvalidInput', 'Invalid Url: the URL must begin with https://');
    const arn = providerArn(ctx.accountId, input.Url);
    if (ctx.db.prepare('SELECT 1 FROM iam_oidc_providers WHERE account_id = ? AND arn = ?').get(ctx.accountId, arn)) {
      throw alreadyExists(`Provider with url ${input.Url} already exists.`);
    }
    ctx.db.prepare('INSERT INTO iam_oidc_providers (account_id, arn, url, client_ids, thumbprints, create_date) VALUES (?, ?, ?, ?, ?, ?)')
      .run(ctx.accountId, arn, input.Url.replace(/^https:\/\//, ''), JSON.stringify(input.ClientIDList ?? []), JSON.stringify(input.ThumbprintList ?? []), ctx.clock.now());
    putTags(ctx, 'oidc-provider', arn, input.Tags);
    const tags = getTags(ctx, 'oidc-provider', arn);
    return { OpenIDConnectProviderArn: arn, ...(tags.length ? { Tags: tags } : {}) };
  },

  GetOpenIDConnectProvider(input, ctx) {
    const p = provider(ctx, input.OpenIDConnectProviderArn);
    const tags = getTags(ctx, 'oidc-provider', p.arn);
    return { Url: p.url, ClientIDList: JSON.parse(p.client_ids) as string[], ThumbprintList: JSON.parse(p.thumbprints) as string[], CreateDate: new Date(p.create_date), ...(tags.length ? { Tags: tags } : {}) };
  },

  ListOpenIDConnectProviders(_input, ctx) {
    const rows = ctx.db.prepare('SELECT arn FROM iam_oidc_providers WHERE account_id = ? ORDER BY arn').all(ctx.accountId) as { arn: string }[];
    return { OpenIDConnectProviderList: rows.map((r) => ({ Arn: r.arn })) };
  },

  DeleteOpenIDConnectProvider(input, ctx) {
    const p = provider(ctx, input.OpenIDConnectProviderArn);
    ctx.db.prepare('DELETE FROM iam_oidc_providers WHERE account_id = ? AND arn = ?').run(ctx.accountId, p.arn);
    removeTags(ctx, 'oidc-provider', p.arn);
  },

  AddClientIDToOpenIDConnectProvider(input, ctx) {
    const p = provider(ctx, input.OpenIDConnectProviderArn);
    const ids = JSON.parse(p.client_ids) as string[];
    if (!ids.includes(input.ClientID)) save(ctx, p.arn, 'client_ids', [...ids, input.ClientID]);
  },

  RemoveClientIDFromOpenIDConnectProvider(input, ctx) {
    const p = provider(ctx, input.OpenIDConnectProviderArn);
    save(ctx, p.arn, 'client_ids', (JSON.parse(p.client_ids) as string[]).filter((id) => id !== input.ClientID));
  },

  TagOpenIDConnectProvider(input, ctx) {
    putTags(ctx, 'oidc-provider', provider(ctx, input.OpenIDConnectProviderArn).arn, input.Tags);
  },

  UntagOpenIDConnectProvider(input, ctx) {
    removeTags(ctx, 'oidc-provider', provider(ctx, input.OpenIDConnectProviderArn).arn, input.TagKeys);
  },

  ListOpenIDConnectProviderTags(input, ctx) {
    const { items, ...more } = page(getTags(ctx, 'oidc-provider', provider(ctx, input.OpenIDConnectProviderArn).arn), input);
    return { Tags: items, ...more };
  },

  UpdateOpenIDConnectProviderThumbprint(input, ctx) {
    save(ctx, provider(ctx, input.OpenIDConnectProviderArn).arn, 'thumbprints', input.ThumbprintList);
  },
};

/** The client ids (audiences) a provider accepts, when the account has the provider. */
export function providerAudiences(env: Pick<RequestContext, 'db'>, arn: string): string[] | undefined {
  const m = /^arn:[^:]+:iam::(\d{12}):oidc-provider\//.exec(arn);
  if (!m) return undefined;
  const row = env.db.prepare('SELECT client_ids FROM iam_oidc_providers WHERE account_id = ? AND arn = ?').get(m[1], arn) as { client_ids: string } | undefined;
  return row ? (JSON.parse(row.client_ids) as string[]) : undefined;
}
