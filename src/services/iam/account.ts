import { AwsError } from '../../protocols/errors.js';
import type { Operations, PasswordPolicy } from '../../generated/types/iam.js';
import type { Handlers, RequestContext } from '../service.js';
import { getTags, iamArn, noSuchEntity, boundaryOf, page, toGroup, toRole, type GroupRow, type RoleRow, type UserRow } from './model.js';
import { AWS_MANAGED, awsManagedArn } from './aws-managed.js';
import { profilesForRole } from './instance-profiles.js';
import { findPolicy, policyDocument, toPolicy } from './policies.js';

/** Account-wide IAM settings and reports: alias, password policy, summary, authorization details, credential report. */

interface Settings { alias: string | null; password_policy: string | null; credential_report_at: number | null }

function settings(ctx: RequestContext): Settings {
  return (ctx.db.prepare('SELECT alias, password_policy, credential_report_at FROM iam_account_settings WHERE account_id = ?').get(ctx.accountId) as Settings | undefined)
    ?? { alias: null, password_policy: null, credential_report_at: null };
}

function saveSetting(ctx: RequestContext, column: 'alias' | 'password_policy' | 'credential_report_at', value: string | number | null): void {
  ctx.db.prepare(`INSERT INTO iam_account_settings (account_id, ${column}) VALUES (?, ?) ON CONFLICT (account_id) DO UPDATE SET ${column} = excluded.${column}`).run(ctx.accountId, value);
}

const count = (ctx: RequestContext, sql: string) => (ctx.db.prepare(sql).get(ctx.accountId) as { n: number }).n;

function inlineList(ctx: RequestContext, type: string, name: string) {
  return (ctx.db.prepare('SELECT policy_name, document FROM iam_inline_policies WHERE account_id = ? AND entity_type = ? AND entity_name = ? ORDER BY policy_name').all(ctx.accountId, type, name) as { policy_name: string; document: string }[])
    .map((p) => ({ PolicyName: p.policy_name, PolicyDocument: encodeURIComponent(p.document) }));
}

function attachedList(ctx: RequestContext, type: string, name: string) {
  return (ctx.db.prepare('SELECT policy_arn FROM iam_attachments WHERE account_id = ? AND entity_type = ? AND entity_name = ? ORDER BY policy_arn').all(ctx.accountId, type, name) as { policy_arn: string }[])
    .map((a) => ({ PolicyName: a.policy_arn.slice(a.policy_arn.lastIndexOf('/') + 1), PolicyArn: a.policy_arn }));
}

export const account: Handlers<Operations> = {
  CreateAccountAlias(input, ctx) {
    const owner = ctx.db.prepare('SELECT account_id FROM iam_account_settings WHERE alias = ?').get(input.AccountAlias) as { account_id: string } | undefined;
    if (owner && owner.account_id !== ctx.accountId) throw new AwsError('EntityAlreadyExists', `The account alias ${input.AccountAlias} already exists.`);
    saveSetting(ctx, 'alias', input.AccountAlias);
  },

  DeleteAccountAlias(input, ctx) {
    if (settings(ctx).alias !== input.AccountAlias) throw noSuchEntity(`The account alias ${input.AccountAlias} cannot be found.`);
    saveSetting(ctx, 'alias', null);
  },

  ListAccountAliases(_input, ctx) {
    const alias = settings(ctx).alias;
    return { AccountAliases: alias ? [alias] : [], IsTruncated: false };
  },

  UpdateAccountPasswordPolicy(input, ctx) {
    // Unset members take IAM's defaults. https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html
    const policy: PasswordPolicy = {
      MinimumPasswordLength: input.MinimumPasswordLength ?? 6,
      RequireSymbols: input.RequireSymbols ?? false,
      RequireNumbers: input.RequireNumbers ?? false,
      RequireUppercaseCharacters: input.RequireUppercaseCharacters ?? false,
      RequireLowercaseCharacters: input.RequireLowercaseCharacters ?? false,
      AllowUsersToChangePassword: input.AllowUsersToChangePassword ?? false,
      ExpirePasswords: (input.MaxPasswordAge ?? 0) > 0,
      ...(input.MaxPasswordAge ? { MaxPasswordAge: input.MaxPasswordAge } : {}),
      ...(input.PasswordReusePrevention ? { PasswordReusePrevention: input.PasswordReusePrevention } : {}),
      HardExpiry: input.HardExpiry ?? false,
    };
    saveSetting(ctx, 'password_policy', JSON.stringify(policy));
  },

  GetAccountPasswordPolicy(_input, ctx) {
    const stored = settings(ctx).password_policy;
    if (!stored) throw noSuchEntity(`The Password Policy with domain name ${ctx.accountId} cannot be found.`);
    return { PasswordPolicy: JSON.parse(stored) as PasswordPolicy };
  },

  DeleteAccountPasswordPolicy(_input, ctx) {
    if (!settings(ctx).password_policy) throw noSuchEntity(`The account policy with name PasswordPolicy cannot be found.`);
    saveSetting(ctx, 'password_policy', null);
  },

  GetAccountSummary(_input, ctx) {
    // Quotas are IAM's defaults. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
    return {
      SummaryMap: {
        Users: count(ctx, 'SELECT COUNT(*) AS n FROM iam_users WHERE account_id = ?'), UsersQuota: 5000,
        Groups: count(ctx, 'SELECT COUNT(*) AS n FROM iam_groups WHERE account_id = ?'), GroupsQuota: 300,
        Roles: count(ctx, 'SELECT COUNT(*) AS n FROM iam_roles WHERE account_id = ?'), RolesQuota: 1000,
        Policies: count(ctx, 'SELECT COUNT(*) AS n FROM iam_policies WHERE account_id = ?'), PoliciesQuota: 1500,
        InstanceProfiles: count(ctx, 'SELECT COUNT(*) AS n FROM iam_instance_profiles WHERE account_id = ?'), InstanceProfilesQuota: 1000,
        PolicyVersionsInUse: count(ctx, 'SELECT COUNT(*) AS n FROM iam_attachments WHERE account_id = ?'), PolicyVersionsInUseQuota: 10000,
        AccessKeysPerUserQuota: 2, AttachedPoliciesPerUserQuota: 10, AttachedPoliciesPerGroupQuota: 10, AttachedPoliciesPerRoleQuota: 10,
        GroupsPerUserQuota: 10, PolicySizeQuota: 6144, UserPolicySizeQuota: 2048, GroupPolicySizeQuota: 5120, VersionsPerPolicyQuota: 5,
        AccountAccessKeysPresent: 0, AccountMFAEnabled: 0, MFADevices: 0, MFADevicesInUse: 0, ServerCertificates: 0, ServerCertificatesQuota: 20,
        ProvidersQuota: 100, AssumeRolePolicySizeQuota: 2048, GlobalEndpointTokenVersion: 1,
      },
    };
  },

  GetAccountAuthorizationDetails(input, ctx) {
    const want = (f: string) => !input.Filter?.length || input.Filter.includes(f as never);
    const users = want('User') ? (ctx.db.prepare('SELECT * FROM iam_users WHERE account_id = ? ORDER BY name').all(ctx.accountId) as UserRow[]).map((u) => ({
      Path: u.path, UserName: u.name, UserId: u.id, Arn: iamArn(u.account_id, 'user', u.path, u.name), CreateDate: new Date(u.create_date),
      UserPolicyList: inlineList(ctx, 'user', u.name), AttachedManagedPolicies: attachedList(ctx, 'user', u.name),
      GroupList: (ctx.db.prepare('SELECT group_name FROM iam_group_members WHERE account_id = ? AND user_name = ? ORDER BY group_name').all(ctx.accountId, u.name) as { group_name: string }[]).map((g) => g.group_name),
      ...boundaryOf(u.boundary_arn), Tags: getTags(ctx, 'user', u.name),
    })) : [];
    const groups = want('Group') ? (ctx.db.prepare('SELECT * FROM iam_groups WHERE account_id = ? ORDER BY name').all(ctx.accountId) as GroupRow[]).map((g) => ({
      ...toGroup(g), GroupPolicyList: inlineList(ctx, 'group', g.name), AttachedManagedPolicies: attachedList(ctx, 'group', g.name),
    })) : [];
    const roles = want('Role') ? (ctx.db.prepare('SELECT * FROM iam_roles WHERE account_id = ? ORDER BY name').all(ctx.accountId) as RoleRow[]).map((r) => ({
      ...toRole(ctx, r, true), RolePolicyList: inlineList(ctx, 'role', r.name), AttachedManagedPolicies: attachedList(ctx, 'role', r.name), InstanceProfileList: profilesForRole(ctx, r.name),
    })) : [];
    const local = want('LocalManagedPolicy') ? (ctx.db.prepare('SELECT arn FROM iam_policies WHERE account_id = ? ORDER BY name').all(ctx.accountId) as { arn: string }[]).map((r) => r.arn) : [];
    const aws = want('AWSManagedPolicy') ? AWS_MANAGED.map(awsManagedArn) : [];
    // AWS managed policies appear once the account uses them, as in IAM.
    const policies = [...local, ...aws].map((arn) => findPolicy(ctx, arn)!).map((p) => ({
      ...toPolicy(ctx, p),
      PolicyVersionList: [{ Document: encodeURIComponent(policyDocument(ctx, p)!), VersionId: p.defaultVersion, IsDefaultVersion: true, CreateDate: p.updateDate }],
    })).filter((p) => !p.Arn!.startsWith('arn:aws:iam::aws:') || p.AttachmentCount! > 0 || p.PermissionsBoundaryUsageCount! > 0);
    const { items, ...more } = page([...users.map((u) => ['u', u] as const), ...groups.map((g) => ['g', g] as const), ...roles.map((r) => ['r', r] as const), ...policies.map((p) => ['p', p] as const)], input);
    const of = <K extends string>(k: K) => items.filter(([kind]) => kind === k).map(([, v]) => v);
    return { UserDetailList: of('u') as never, GroupDetailList: of('g') as never, RoleDetailList: of('r') as never, Policies: of('p') as never, ...more };
  },

  GenerateCredentialReport(_input, ctx) {
    const started = settings(ctx).credential_report_at === null;
    saveSetting(ctx, 'credential_report_at', ctx.clock.now());
    // The first call answers STARTED, as AWS does; the report is ready for the next read already.
    return { State: started ? 'STARTED' : 'COMPLETE', Description: started ? 'No report exists. Starting a new report generation task' : 'Report generated' };
  },

  GetCredentialReport(_input, ctx) {
    const at = settings(ctx).credential_report_at;
    if (at === null) throw new AwsError('ReportNotPresent', 'Unknown', { status: 410 });
    return { Content: Buffer.from(credentialReport(ctx, at)), ReportFormat: 'text/csv', GeneratedTime: new Date(at) };
  },
};

/** https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html#id_credentials_understanding_the_report_format */
function credentialReport(ctx: RequestContext, at: number): string {
  const header = 'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  const keyCols = (k: { access_key_id: string; status: string; create_date: number } | undefined) => {
    if (!k) return ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
    const used = ctx.credentials.get(k.access_key_id)?.lastUsed;
    return [String(k.status === 'Active'), iso(k.create_date), used ? iso(used.at) : 'N/A', used?.region ?? 'N/A', used?.service ?? 'N/A'];
  };
  const rows = [[ '<root_account>', `arn:aws:iam::${ctx.accountId}:root`, iso(0), 'not_supported', 'no_information', 'not_supported', 'not_supported', 'false', ...keyCols(undefined), ...keyCols(undefined), 'false', 'N/A', 'false', 'N/A']];
  for (const u of ctx.db.prepare('SELECT * FROM iam_users WHERE account_id = ? AND create_date <= ? ORDER BY name').all(ctx.accountId, at) as UserRow[]) {
    const login = ctx.db.prepare('SELECT create_date FROM iam_login_profiles WHERE account_id = ? AND user_name = ?').get(ctx.accountId, u.name) as { create_date: number } | undefined;
    const keys = ctx.db.prepare('SELECT access_key_id, status, create_date FROM iam_access_keys WHERE account_id = ? AND user_name = ? ORDER BY create_date').all(ctx.accountId, u.name) as { access_key_id: string; status: string; create_date: number }[];
    rows.push([u.name, iamArn(u.account_id, 'user', u.path, u.name), iso(u.create_date), String(!!login), u.password_last_used ? iso(u.password_last_used) : login ? 'no_information' : 'N/A',
      login ? iso(login.create_date) : 'N/A', 'N/A', 'false', ...keyCols(keys[0]), ...keyCols(keys[1]), 'false', 'N/A', 'false', 'N/A']);
  }
  return [header, ...rows.map((r) => r.join(','))].join('\n');
}
