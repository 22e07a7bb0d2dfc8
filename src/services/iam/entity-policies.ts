import { AwsError } from '../../protocols/errors.js';
import type { Operations } from '../../generated/types/iam.js';
import type { Handler, Handlers, RequestContext } from '../service.js';
import { checkDocument, need, noSuchEntity, page, type EntityType } from './model.js';
import { findPolicy } from './policies.js';
import { mutableRole } from './roles.js';

/**
 * The policies of users, groups and roles: managed policies attached to them, and inline
 * policies embedded in them. The three entity types answer the same seven operations
 * (AttachUserPolicy, AttachGroupPolicy, AttachRolePolicy, ...), so they are written once.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
 */

/** Managed policies per entity, and inline policy sizes per entity type. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
const ATTACHED_MAX = 10;
const INLINE_MAX: Record<EntityType, number> = { user: 2048, group: 5120, role: 10240 };

const Type = { user: 'User', group: 'Group', role: 'Role' } as const;

function entityPolicyHandlers(type: EntityType): Record<string, Handler> {
  const T = Type[type];
  const entity = (input: Record<string, unknown>, ctx: RequestContext) => need(ctx, type, input[`${T}Name`] as string).name;
  // Service-linked roles carry the policies their service gave them, and no others.
  const changeable = (input: Record<string, unknown>, ctx: RequestContext) => (type === 'role' ? mutableRole(ctx, input['RoleName'] as string).name : entity(input, ctx));
  return {
    [`Attach${T}Policy`](input: { PolicyArn: string }, ctx: RequestContext) {
      const name = changeable(input, ctx);
      if (!findPolicy(ctx, input.PolicyArn)) throw noSuchEntity(`Policy ${input.PolicyArn} does not exist or is not attachable.`);
      const count = ctx.db.prepare('SELECT COUNT(*) AS n FROM iam_attachments WHERE account_id = ? AND entity_type = ? AND entity_name = ?').get(ctx.accountId, type, name) as { n: number };
      const already = ctx.db.prepare('SELECT 1 FROM iam_attachments WHERE account_id = ? AND entity_type = ? AND entity_name = ? AND policy_arn = ?').get(ctx.accountId, type, name, input.PolicyArn);
      if (!already && count.n >= ATTACHED_MAX) throw new AwsError('LimitExceeded', `Cannot exceed quota for PoliciesPer${T}: ${ATTACHED_MAX}`);
      ctx.db.prepare('INSERT INTO iam_attachments (account_id, entity_type, entity_name, policy_arn) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(ctx.accountId, type, name, input.PolicyArn);
      return {};
    },

    [`Detach${T}Policy`](input: { PolicyArn: string }, ctx: RequestContext) {
      const name = changeable(input, ctx);
      const gone = ctx.db.prepare('DELETE FROM iam_attachments WHERE account_id = ? AND entity_type = ? AND entity_name = ? AND policy_arn = ?').run(ctx.accountId, type, name, input.PolicyArn);
      if (gone.changes === 0) throw noSuchEntity(`Policy ${input.PolicyArn} was not found.`);
      return {};
    },

    [`ListAttached${T}Policies`](input: { PathPrefix?: string; Marker?: string; MaxItems?: number }, ctx: RequestContext) {
      const name = entity(input, ctx);
      const arns = ctx.db.prepare('SELECT policy_arn FROM iam_attachments WHERE account_id = ? AND entity_type = ? AND entity_name = ? ORDER BY policy_arn').all(ctx.accountId, type, name) as { policy_arn: string }[];
      const list = arns.map((r) => findPolicy(ctx, r.policy_arn)).filter((p) => p !== undefined && p.path.startsWith(input.PathPrefix ?? '/')).map((p) => ({ PolicyName: p!.name, PolicyArn: p!.arn }));
      const { items, ...more } = page(list, input);
      return { AttachedPolicies: items, ...more };
    },

    [`Put${T}Policy`](input: { PolicyName: string; PolicyDocument: string }, ctx: RequestContext) {
      const name = changeable(input, ctx);
      try {
        checkDocument(input.PolicyDocument, 'identity', { name: 'PolicySize', max: INLINE_MAX[type] });
      } catch (e) {
        if ((e as AwsError).code === 'LimitExceeded') throw new AwsError('LimitExceeded', `Maximum policy size of ${INLINE_MAX[type]} bytes exceeded for ${type} ${name}`);
        throw e;
      }
      ctx.db.prepare(`INSERT INTO iam_inline_policies (account_id, entity_type, entity_name, policy_name, document) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (account_id, entity_type, entity_name, policy_name) DO UPDATE SET document = excluded.document`).run(ctx.accountId, type, name, input.PolicyName, input.PolicyDocument);
      return {};
    },

    [`Get${T}Policy`](input: { PolicyName: string }, ctx: RequestContext) {
      const name = entity(input, ctx);
      const row = ctx.db.prepare('SELECT document FROM iam_inline_policies WHERE account_id = ? AND entity_type = ? AND entity_name = ? AND policy_name = ?').get(ctx.accountId, type, name, input.PolicyName) as { document: string } | undefined;
      if (!row) throw noSuchEntity(`The ${type} policy with name ${input.PolicyName} cannot be found.`);
      return { [`${T}Name`]: name, PolicyName: input.PolicyName, PolicyDocument: encodeURIComponent(row.document) };
    },

    [`Delete${T}Policy`](input: { PolicyName: string }, ctx: RequestContext) {
      const name = changeable(input, ctx);
      const gone = ctx.db.prepare('DELETE FROM iam_inline_policies WHERE account_id = ? AND entity_type = ? AND entity_name = ? AND policy_name = ?').run(ctx.accountId, type, name, input.PolicyName);
      if (gone.changes === 0) throw noSuchEntity(`The ${type} policy with name ${input.PolicyName} cannot be found.`);
      return {};
    },

    [`List${T}Policies`](input: { Marker?: string; MaxItems?: number }, ctx: RequestContext) {
      const name = entity(input, ctx);
      const rows = ctx.db.prepare('SELECT policy_name FROM iam_inline_policies WHERE account_id = ? AND entity_type = ? AND entity_name = ? ORDER BY policy_name').all(ctx.accountId, type, name) as { policy_name: string }[];
      const { items, ...more } = page(rows.map((r) => r.policy_name), input);
      return { PolicyNames: items, ...more };
    },
  };
}

export const entityPolicies = {
  ...entityPolicyHandlers('user'),
  ...entityPolicyHandlers('group'),
  ...entityPolicyHandlers('role'),
} as Handlers<Operations>;
