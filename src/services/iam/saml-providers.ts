import { randomUUID } from 'node:crypto';
import { AwsError } from '../../protocols/errors.js';
import type { Operations } from '../../generated/types/iam.js';
import type { Handlers, RequestContext } from '../service.js';
import { alreadyExists, checkName, getTags, noSuchEntity, page, putTags, removeTags } from './model.js';

/**
 * SAML 2.0 identity providers: the federated principals that AssumeRoleWithSAML trust
 * policies name (`arn:aws:iam::<account>:saml-provider/<name>`).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml.html
 */

interface ProviderRow { arn: string; uuid: string; metadata: string; create_date: number; valid_until: number | null }

function provider(ctx: RequestContext, arn: string): ProviderRow {
  const row = ctx.db.prepare('SELECT * FROM iam_saml_providers WHERE account_id = ? AND arn = ?').get(ctx.accountId, arn) as ProviderRow | undefined;
  if (!row) throw noSuchEntity(`Manifest not found for arn ${arn}`);
  return row;
}

/** The metadata must be an IdP's EntityDescriptor; its validUntil, if any, bounds the provider. */
function checkMetadata(document: string): number | null {
  if (!/<(\w+:)?EntityDescriptor[\s>]/.test(document)) throw new AwsError('InvalidInput', 'Could not parse metadata');
  const until = /validUntil="([^"]+)"/.exec(document)?.[1];
  return until && !Number.isNaN(Date.parse(until)) ? Date.parse(until) : null;
}

export const samlProviders: Handlers<Operations> = {
  CreateSAMLProvider(input, ctx) {
    checkName(input.Name, 'name');
    const arn = `arn:aws:iam::${ctx.accountId}:saml-provider/${input.Name}`;
    if (ctx.db.prepare('SELECT 1 FROM iam_saml_providers WHERE account_id = ? AND arn = ?').get(ctx.accountId, arn)) throw alreadyExists(`SAMLProvider ${input.Name} already exists.`);
    const validUntil = checkMetadata(input.SAMLMetadataDocument);
    ctx.db.prepare('INSERT INTO iam_saml_providers (account_id, arn, uuid, metadata, create_date, valid_until) VALUES (?, ?, ?, ?, ?, ?)')
      .run(ctx.accountId, arn, randomUUID(), input.SAMLMetadataDocument, ctx.clock.now(), validUntil);
    putTags(ctx, 'saml-provider', arn, input.Tags);
    const tags = getTags(ctx, 'saml-provider', arn);
    return { SAMLProviderArn: arn, ...(tags.length ? { Tags: tags } : {}) };
  },

  GetSAMLProvider(input, ctx) {
    const p = provider(ctx, input.SAMLProviderArn);
    const tags = getTags(ctx, 'saml-provider', p.arn);
    return {
      SAMLProviderUUID: p.uuid, SAMLMetadataDocument: p.metadata, CreateDate: new Date(p.create_date),
      ...(p.valid_until !== null ? { ValidUntil: new Date(p.valid_until) } : {}), ...(tags.length ? { Tags: tags } : {}),
    };
  },

  ListSAMLProviders(_input, ctx) {
    const rows = ctx.db.prepare('SELECT * FROM iam_saml_providers WHERE account_id = ? ORDER BY arn').all(ctx.accountId) as ProviderRow[];
    return { SAMLProviderList: rows.map((p) => ({ Arn: p.arn, CreateDate: new Date(p.create_date), ...(p.valid_until !== null ? { ValidUntil: new Date(p.valid_until) } : {}) })) };
  },

  UpdateSAMLProvider(input, ctx) {
    const p = provider(ctx, input.SAMLProviderArn);
    if (input.SAMLMetadataDocument !== undefined) {
      const validUntil = checkMetadata(input.SAMLMetadataDocument);
      ctx.db.prepare('UPDATE iam_saml_providers SET metadata = ?, valid_until = ? WHERE account_id = ? AND arn = ?').run(input.SAMLMetadataDocument, validUntil, ctx.accountId, p.arn);
    }
    return { SAMLProviderArn: p.arn };
  },

  DeleteSAMLProvider(input, ctx) {
    const p = provider(ctx, input.SAMLProviderArn);
    ctx.db.prepare('DELETE FROM iam_saml_providers WHERE account_id = ? AND arn = ?').run(ctx.accountId, p.arn);
    removeTags(ctx, 'saml-provider', p.arn);
  },

  TagSAMLProvider(input, ctx) {
    putTags(ctx, 'saml-provider', provider(ctx, input.SAMLProviderArn).arn, input.Tags);
  },

  UntagSAMLProvider(input, ctx) {
    removeTags(ctx, 'saml-provider', provider(ctx, input.SAMLProviderArn).arn, input.TagKeys);
  },

  ListSAMLProviderTags(input, ctx) {
    const { items, ...more } = page(getTags(ctx, 'saml-provider', provider(ctx, input.SAMLProviderArn).arn), input);
    return { Tags: items, ...more };
  },
};

/** Whether the account has this SAML provider, for AssumeRoleWithSAML. */
export function samlProviderExists(env: Pick<RequestContext, 'db'>, arn: string): boolean {
  const account = arn.split(':')[4];
  return env.db.prepare('SELECT 1 FROM iam_saml_providers WHERE account_id = ? AND arn = ?').get(account, arn) !== undefined;
}
