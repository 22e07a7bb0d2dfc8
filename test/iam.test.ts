import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AddUserToGroupCommand, AttachRolePolicyCommand, AttachUserPolicyCommand, CreateAccessKeyCommand, CreateGroupCommand, CreateInstanceProfileCommand,
  CreatePolicyCommand, CreatePolicyVersionCommand, CreateRoleCommand, CreateUserCommand, DeleteAccessKeyCommand, DeletePolicyCommand, DeletePolicyVersionCommand,
  DeleteRoleCommand, DeleteUserCommand, DetachUserPolicyCommand, GetAccountAuthorizationDetailsCommand, GetGroupCommand, GetPolicyCommand, GetPolicyVersionCommand,
  GetRoleCommand, GetUserCommand, GetUserPolicyCommand, IAMClient, ListAccessKeysCommand, ListAttachedUserPoliciesCommand, ListPoliciesCommand,
  ListPolicyVersionsCommand, ListUsersCommand, PutRolePolicyCommand, PutUserPolicyCommand, AddRoleToInstanceProfileCommand, GetInstanceProfileCommand,
  SetDefaultPolicyVersionCommand, TagUserCommand, ListUserTagsCommand, UntagUserCommand, UpdateAccessKeyCommand, UpdateUserCommand,
  CreateServiceLinkedRoleCommand, GenerateCredentialReportCommand, GetCredentialReportCommand, CreateAccountAliasCommand, ListAccountAliasesCommand,
  UpdateAccountPasswordPolicyCommand, GetAccountPasswordPolicyCommand, CreateLoginProfileCommand, GetLoginProfileCommand, PutUserPermissionsBoundaryCommand,
  SimulatePrincipalPolicyCommand, SimulateCustomPolicyCommand, DeleteGroupCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleWithSAMLCommand, AssumeRoleWithWebIdentityCommand, GetAccessKeyInfoCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ChangePasswordCommand, CreateOpenIDConnectProviderCommand, CreateSAMLProviderCommand, GetAccessKeyLastUsedCommand } from '@aws-sdk/client-iam';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

const ACCOUNT = '000000000000';
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const trust = (principal: object) => doc({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' });
let n = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++n}`;

describe('IAM', () => {
  let nimbus: Nimbus;
  let iam: IAMClient;
  before(async () => {
    nimbus = await start();
    iam = new IAMClient(clientConfig(nimbus));
  });
  after(() => nimbus.stop());

  it('creates, reads, lists, renames and deletes a user', async () => {
    const name = unique('alice');
    const created = await iam.send(new CreateUserCommand({ UserName: name, Path: '/dev/', Tags: [{ Key: 'team', Value: 'blue' }] }));
    assert.equal(created.User!.Arn, `arn:aws:iam::${ACCOUNT}:user/dev/${name}`);
    assert.match(created.User!.UserId!, /^AIDA[A-Z2-7]{16}$/);
    const got = await iam.send(new GetUserCommand({ UserName: name.toUpperCase() }));
    assert.equal(got.User!.UserName, name, 'names are case-insensitive');
    assert.deepEqual(got.User!.Tags, [{ Key: 'team', Value: 'blue' }]);
    const listed = await iam.send(new ListUsersCommand({ PathPrefix: '/dev/' }));
    assert.ok(listed.Users!.some((u) => u.UserName === name));
    const renamed = `${name}-x`;
    await iam.send(new UpdateUserCommand({ UserName: name, NewUserName: renamed }));
    assert.equal((await iam.send(new GetUserCommand({ UserName: renamed }))).User!.Arn, `arn:aws:iam::${ACCOUNT}:user/dev/${renamed}`);
    await iam.send(new DeleteUserCommand({ UserName: renamed }));
    const err = await rejects(iam.send(new GetUserCommand({ UserName: renamed })));
    assert.equal(err.name, 'NoSuchEntityException');
    assert.equal(err.$metadata.httpStatusCode, 404);
    assert.equal(err.message, `The user with name ${renamed} cannot be found.`);
  });

  it('creating a user twice fails with EntityAlreadyExists (409)', async () => {
    const name = unique('dup');
    await iam.send(new CreateUserCommand({ UserName: name }));
    const err = await rejects(iam.send(new CreateUserCommand({ UserName: name.toUpperCase() })));
    assert.equal(err.name, 'EntityAlreadyExistsException');
    assert.equal(err.$metadata.httpStatusCode, 409);
  });

  it('names outside IAM pattern are a ValidationError', async () => {
    const err = await rejects(iam.send(new CreateUserCommand({ UserName: 'bad name!' })));
    assert.equal(err.name, 'ValidationError');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.match(err.message, /Member must satisfy regular expression pattern/);
  });

  it('user tags can be added, listed and removed', async () => {
    const name = unique('tagged');
    await iam.send(new CreateUserCommand({ UserName: name }));
    await iam.send(new TagUserCommand({ UserName: name, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await iam.send(new UntagUserCommand({ UserName: name, TagKeys: ['a'] }));
    assert.deepEqual((await iam.send(new ListUserTagsCommand({ UserName: name }))).Tags, [{ Key: 'b', Value: '2' }]);
  });

  it('deleting a user with access keys or policies is a DeleteConflict', async () => {
    const name = unique('busy');
    await iam.send(new CreateUserCommand({ UserName: name }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    let err = await rejects(iam.send(new DeleteUserCommand({ UserName: name })));
    assert.equal(err.name, 'DeleteConflictException');
    assert.equal(err.message, 'Cannot delete entity, must delete access keys first.');
    await iam.send(new DeleteAccessKeyCommand({ UserName: name, AccessKeyId: key.AccessKey!.AccessKeyId }));
    await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    err = await rejects(iam.send(new DeleteUserCommand({ UserName: name })));
    assert.equal(err.message, 'Cannot delete entity, must detach all policies first.');
    await iam.send(new DetachUserPolicyCommand({ UserName: name, PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    await iam.send(new DeleteUserCommand({ UserName: name }));
  });

  it('access keys: two per user, a real secret, Active/Inactive', async () => {
    const name = unique('keys');
    await iam.send(new CreateUserCommand({ UserName: name }));
    const k1 = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    assert.match(k1.AccessKey!.AccessKeyId!, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(k1.AccessKey!.SecretAccessKey!.length, 40);
    await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    const err = await rejects(iam.send(new CreateAccessKeyCommand({ UserName: name })));
    assert.equal(err.name, 'LimitExceededException');
    assert.equal(err.message, 'Cannot exceed quota for AccessKeysPerUser: 2');
    const asUser = new STSClient(clientConfig(nimbus, { credentials: { accessKeyId: k1.AccessKey!.AccessKeyId!, secretAccessKey: k1.AccessKey!.SecretAccessKey! } }));
    const id = await asUser.send(new GetCallerIdentityCommand({}));
    assert.equal(id.Arn, `arn:aws:iam::${ACCOUNT}:user/${name}`);
    const used = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k1.AccessKey!.AccessKeyId }));
    assert.equal(used.UserName, name);
    assert.equal(used.AccessKeyLastUsed!.ServiceName, 'sts');
    assert.equal(used.AccessKeyLastUsed!.Region, 'us-east-1');
    assert.ok(used.AccessKeyLastUsed!.LastUsedDate instanceof Date);
    await iam.send(new UpdateAccessKeyCommand({ UserName: name, AccessKeyId: k1.AccessKey!.AccessKeyId, Status: 'Inactive' }));
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: name }));
    assert.deepEqual(listed.AccessKeyMetadata!.map((k) => k.Status).sort(), ['Active', 'Inactive']);
    const denied = await rejects(asUser.send(new GetCallerIdentityCommand({})));
    assert.equal(denied.name, 'InvalidClientTokenId');
  });

  it('GetAccessKeyInfo names the account of a key', async () => {
    const name = unique('info');
    await iam.send(new CreateUserCommand({ UserName: name }));
    const k = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    const sts = new STSClient(clientConfig(nimbus));
    assert.equal((await sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: k.AccessKey!.AccessKeyId! }))).Account, ACCOUNT);
    assert.equal((await sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: 'AKIAUNKNOWNKEY00000' }))).Account, ACCOUNT);
  });

  it('a wrong secret for an IAM user key is SignatureDoesNotMatch', async () => {
    const name = unique('forger');
    await iam.send(new CreateUserCommand({ UserName: name }));
    const k = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    const forged = new STSClient(clientConfig(nimbus, { credentials: { accessKeyId: k.AccessKey!.AccessKeyId!, secretAccessKey: 'wrong-secret' } }));
    const err = await rejects(forged.send(new GetCallerIdentityCommand({})));
    assert.equal(err.name, 'SignatureDoesNotMatch');
    assert.equal(err.$metadata.httpStatusCode, 403);
  });

  it('groups hold users and list them', async () => {
    const group = unique('devs');
    const user = unique('member');
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: user }));
    const got = await iam.send(new GetGroupCommand({ GroupName: group }));
    assert.deepEqual(got.Users!.map((u) => u.UserName), [user]);
    const err = await rejects(iam.send(new DeleteGroupCommand({ GroupName: group })));
    assert.equal(err.name, 'DeleteConflictException');
  });

  it('managed policies keep up to five versions with one default', async () => {
    const name = unique('pol');
    const p = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }), Description: 'reads' }));
    assert.equal(p.Policy!.Arn, `arn:aws:iam::${ACCOUNT}:policy/${name}`);
    assert.equal(p.Policy!.DefaultVersionId, 'v1');
    for (let i = 2; i <= 5; i++) {
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: p.Policy!.Arn, PolicyDocument: doc({ Effect: 'Allow', Action: `s3:Get${i}`, Resource: '*' }), SetAsDefault: i === 3 }));
    }
    const err = await rejects(iam.send(new CreatePolicyVersionCommand({ PolicyArn: p.Policy!.Arn, PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) })));
    assert.equal(err.name, 'LimitExceededException');
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: p.Policy!.Arn }))).Policy!.DefaultVersionId, 'v3');
    const v3 = await iam.send(new GetPolicyVersionCommand({ PolicyArn: p.Policy!.Arn, VersionId: 'v3' }));
    assert.deepEqual(JSON.parse(decodeURIComponent(v3.PolicyVersion!.Document!)).Statement[0].Action, 's3:Get3');
    const del = await rejects(iam.send(new DeletePolicyVersionCommand({ PolicyArn: p.Policy!.Arn, VersionId: 'v3' })));
    assert.equal(del.message, 'Cannot delete the default version of a policy.');
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: p.Policy!.Arn, VersionId: 'v5' }));
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: p.Policy!.Arn, VersionId: 'v3' }));
    const versions = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: p.Policy!.Arn }));
    assert.deepEqual(versions.Versions!.map((v) => v.VersionId).sort(), ['v1', 'v2', 'v4', 'v5']);
  });

  it('a malformed policy document is rejected with AWS reasons on every write', async () => {
    let err = await rejects(iam.send(new CreatePolicyCommand({ PolicyName: unique('bad'), PolicyDocument: doc({ Effect: 'Allow', Action: 'GetObject', Resource: '*' }) })));
    assert.equal(err.name, 'MalformedPolicyDocumentException');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(err.message, 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
    const user = unique('inline');
    await iam.send(new CreateUserCommand({ UserName: user }));
    err = await rejects(iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: 'p', PolicyDocument: '{not json' })));
    assert.equal(err.message, 'This policy contains invalid Json');
    err = await rejects(iam.send(new CreateRoleCommand({ RoleName: unique('role'), AssumeRolePolicyDocument: doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }) })));
    assert.equal(err.message, 'Missing required field Principal');
  });

  it('the common AWS managed policies exist with their documents and attach', async () => {
    const p = await iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    assert.equal(p.Policy!.PolicyName, 'AdministratorAccess');
    const v = await iam.send(new GetPolicyVersionCommand({ PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole', VersionId: 'v1' }));
    assert.deepEqual(JSON.parse(decodeURIComponent(v.PolicyVersion!.Document!)).Statement[0].Action, ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']);
    const aws = await iam.send(new ListPoliciesCommand({ Scope: 'AWS' }));
    for (const name of ['AdministratorAccess', 'PowerUserAccess', 'ReadOnlyAccess', 'IAMFullAccess', 'AmazonS3FullAccess', 'AmazonS3ReadOnlyAccess', 'AmazonSQSFullAccess', 'AmazonDynamoDBFullAccess', 'AmazonEC2FullAccess']) {
      assert.ok(aws.Policies!.some((x) => x.PolicyName === name), name);
    }
    const user = unique('attached');
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(new AttachUserPolicyCommand({ UserName: user, PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' }));
    const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: user }));
    assert.deepEqual(attached.AttachedPolicies, [{ PolicyName: 'AmazonS3ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' }]);
    const missing = await rejects(iam.send(new AttachUserPolicyCommand({ UserName: user, PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/nope` })));
    assert.equal(missing.name, 'NoSuchEntityException');
  });

  it('deleting an attached policy is a DeleteConflict', async () => {
    const p = await iam.send(new CreatePolicyCommand({ PolicyName: unique('used'), PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) }));
    const user = unique('user');
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(new AttachUserPolicyCommand({ UserName: user, PolicyArn: p.Policy!.Arn }));
    const err = await rejects(iam.send(new DeletePolicyCommand({ PolicyArn: p.Policy!.Arn })));
    assert.equal(err.name, 'DeleteConflictException');
  });

  it('inline policies are stored and returned URL-encoded', async () => {
    const user = unique('inl');
    await iam.send(new CreateUserCommand({ UserName: user }));
    const document = doc({ Effect: 'Allow', Action: 'sqs:*', Resource: '*' });
    await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: 'q', PolicyDocument: document }));
    const got = await iam.send(new GetUserPolicyCommand({ UserName: user, PolicyName: 'q' }));
    assert.equal(decodeURIComponent(got.PolicyDocument!), document);
    const err = await rejects(iam.send(new GetUserPolicyCommand({ UserName: user, PolicyName: 'other' })));
    assert.equal(err.name, 'NoSuchEntityException');
  });

  it('roles: trust policy, inline and attached policies, instance profiles, delete conflicts', async () => {
    const role = unique('app');
    const r = await iam.send(new CreateRoleCommand({ RoleName: role, Path: '/svc/', AssumeRolePolicyDocument: trust({ Service: 'ec2.amazonaws.com' }), MaxSessionDuration: 7200 }));
    assert.equal(r.Role!.Arn, `arn:aws:iam::${ACCOUNT}:role/svc/${role}`);
    assert.match(r.Role!.RoleId!, /^AROA/);
    const got = await iam.send(new GetRoleCommand({ RoleName: role }));
    assert.equal(JSON.parse(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!)).Statement[0].Principal.Service, 'ec2.amazonaws.com');
    assert.equal(got.Role!.MaxSessionDuration, 7200);
    await iam.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: 'inline', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const profile = unique('profile');
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: profile }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: profile, RoleName: role }));
    const ip = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profile }));
    assert.deepEqual(ip.InstanceProfile!.Roles!.map((x) => x.RoleName), [role]);
    const err = await rejects(iam.send(new DeleteRoleCommand({ RoleName: role })));
    assert.equal(err.name, 'DeleteConflictException');
    assert.equal(err.message, 'Cannot delete entity, must remove roles from instance profile first.');
  });

  it('service-linked roles are named by their service and trust it', async () => {
    const r = await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'elasticloadbalancing.amazonaws.com' }));
    assert.equal(r.Role!.RoleName, 'AWSServiceRoleForElasticLoadBalancing');
    assert.equal(r.Role!.Path, '/aws-service-role/elasticloadbalancing.amazonaws.com/');
    const err = await rejects(iam.send(new DeleteRoleCommand({ RoleName: 'AWSServiceRoleForElasticLoadBalancing' })));
    assert.equal(err.name, 'UnmodifiableEntityException');
    const attach = await rejects(iam.send(new AttachRolePolicyCommand({ RoleName: 'AWSServiceRoleForElasticLoadBalancing', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })));
    assert.equal(attach.name, 'UnmodifiableEntityException');
  });

  it('account alias, password policy and login profiles', async () => {
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'nimbus-test' }));
    assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, ['nimbus-test']);
    const none = await rejects(iam.send(new GetAccountPasswordPolicyCommand({})));
    assert.equal(none.name, 'NoSuchEntityException');
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 12, RequireSymbols: true }));
    const pp = await iam.send(new GetAccountPasswordPolicyCommand({}));
    assert.equal(pp.PasswordPolicy!.MinimumPasswordLength, 12);
    assert.equal(pp.PasswordPolicy!.RequireSymbols, true);
    const user = unique('console');
    await iam.send(new CreateUserCommand({ UserName: user }));
    const weak = await rejects(iam.send(new CreateLoginProfileCommand({ UserName: user, Password: 'short' })));
    assert.equal(weak.name, 'PasswordPolicyViolationException');
    await iam.send(new CreateLoginProfileCommand({ UserName: user, Password: 'S3cret!pass-word', PasswordResetRequired: true }));
    assert.equal((await iam.send(new GetLoginProfileCommand({ UserName: user }))).LoginProfile!.PasswordResetRequired, true);
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: user }));
    const self = new IAMClient(clientConfig(nimbus, { credentials: { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! } }));
    const wrongOld = await rejects(self.send(new ChangePasswordCommand({ OldPassword: 'nope', NewPassword: 'An0ther!password' })));
    assert.equal(wrongOld.name, 'InvalidInputException');
    await self.send(new ChangePasswordCommand({ OldPassword: 'S3cret!pass-word', NewPassword: 'An0ther!password' }));
    assert.equal((await iam.send(new GetLoginProfileCommand({ UserName: user }))).LoginProfile!.PasswordResetRequired, false);
  });

  it('permissions boundaries must be existing managed policies', async () => {
    const user = unique('bounded');
    await iam.send(new CreateUserCommand({ UserName: user }));
    const err = await rejects(iam.send(new PutUserPermissionsBoundaryCommand({ UserName: user, PermissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/missing` })));
    assert.equal(err.name, 'NoSuchEntityException');
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: user, PermissionsBoundary: 'arn:aws:iam::aws:policy/AmazonS3FullAccess' }));
    const got = await iam.send(new GetUserCommand({ UserName: user }));
    assert.equal(got.User!.PermissionsBoundary!.PermissionsBoundaryArn, 'arn:aws:iam::aws:policy/AmazonS3FullAccess');
  });

  it('GetAccountAuthorizationDetails and the credential report describe the account', async () => {
    const user = unique('reported');
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(new CreateAccessKeyCommand({ UserName: user }));
    const details = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['User'] }));
    assert.ok(details.UserDetailList!.some((u) => u.UserName === user));
    const gen = await iam.send(new GenerateCredentialReportCommand({}));
    assert.ok(['STARTED', 'COMPLETE'].includes(gen.State!));
    const report = await iam.send(new GetCredentialReportCommand({}));
    const lines = Buffer.from(report.Content!).toString().split('\n');
    assert.ok(lines[0]!.startsWith('user,arn,user_creation_time'));
    assert.ok(lines.some((l) => l.startsWith(`${user},arn:aws:iam::${ACCOUNT}:user/${user},`) && l.includes(',true,')));
  });

  it('SimulatePrincipalPolicy explains allow, explicit deny and implicit deny', async () => {
    const user = unique('sim');
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' }) }));
    const r = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/${user}`, ActionNames: ['s3:GetObject', 's3:DeleteBucket', 'sqs:SendMessage'] }));
    assert.deepEqual(r.EvaluationResults!.map((e) => e.EvalDecision), ['allowed', 'explicitDeny', 'implicitDeny']);
    assert.equal(r.EvaluationResults![0]!.MatchedStatements![0]!.SourcePolicyId, `user/${user}/p`);
    const custom = await iam.send(new SimulateCustomPolicyCommand({
      PolicyInputList: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })],
      ActionNames: ['s3:GetObject'], ResourceArns: ['arn:aws:s3:::b/k'],
      ContextEntries: [{ ContextKeyName: 'aws:SourceIp', ContextKeyType: 'ip', ContextKeyValues: ['10.1.2.3'] }],
    }));
    assert.equal(custom.EvaluationResults![0]!.EvalDecision, 'allowed');
  });

  it('AssumeRoleWithWebIdentity admits a token from a registered provider whose claims the trust policy accepts', async () => {
    const provider = await iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://token.actions.githubusercontent.com', ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['a'.repeat(40)] }));
    assert.equal(provider.OpenIDConnectProviderArn, `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`);
    const role = unique('ci');
    await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: doc({
      Effect: 'Allow', Principal: { Federated: provider.OpenIDConnectProviderArn }, Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/app:*' }, StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } },
    }) }));
    const jwt = (claims: object) => ['{"alg":"RS256"}', JSON.stringify(claims), 'signature'].map((p, i) => (i < 2 ? Buffer.from(p).toString('base64url') : p)).join('.');
    const claims = { iss: 'https://token.actions.githubusercontent.com', aud: 'sts.amazonaws.com', sub: 'repo:acme/app:ref:refs/heads/main', exp: Math.floor(nimbus.clock.now() / 1000) + 600 };
    const anonymous = new STSClient({ endpoint: nimbus.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
    const r = await anonymous.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`, RoleSessionName: 'gha', WebIdentityToken: jwt(claims) }));
    assert.equal(r.SubjectFromWebIdentityToken, claims.sub);
    assert.equal(r.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/gha`);
    const other = await rejects(anonymous.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`, RoleSessionName: 'gha', WebIdentityToken: jwt({ ...claims, sub: 'repo:evil/app:ref:refs/heads/main' }) })));
    assert.equal(other.name, 'AccessDenied');
    const garbage = await rejects(anonymous.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`, RoleSessionName: 'gha', WebIdentityToken: 'not-a-token' })));
    assert.equal(garbage.name, 'InvalidIdentityTokenException');
  });

  it('AssumeRoleWithSAML admits an assertion naming the role through a registered provider', async () => {
    const certificate = Buffer.alloc(900, 7).toString('base64');
    const metadata = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`;
    const provider = (await iam.send(new CreateSAMLProviderCommand({ Name: unique('corp-idp'), SAMLMetadataDocument: metadata }))).SAMLProviderArn!;
    const bad = await rejects(iam.send(new CreateSAMLProviderCommand({ Name: unique('broken'), SAMLMetadataDocument: `<html>${certificate}</html>` })));
    assert.equal(bad.name, 'InvalidInputException');
    const role = unique('sso');
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/${role}`;
    await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: doc({
      Effect: 'Allow', Principal: { Federated: provider }, Action: 'sts:AssumeRoleWithSAML', Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
    }) }));
    const expires = new Date(nimbus.clock.now() + 300_000).toISOString();
    const assertion = (roleValue: string) => Buffer.from(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">
      <saml:Issuer>https://idp.example.com</saml:Issuer>
      <saml:Assertion><saml:Issuer>https://idp.example.com</saml:Issuer>
        <saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">jane@example.com</saml:NameID>
          <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${expires}" Recipient="https://signin.aws.amazon.com/saml"/></saml:SubjectConfirmation>
        </saml:Subject>
        <saml:AttributeStatement>
          <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml:AttributeValue>${roleValue}</saml:AttributeValue></saml:Attribute>
          <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>jane</saml:AttributeValue></saml:Attribute>
        </saml:AttributeStatement>
      </saml:Assertion></samlp:Response>`).toString('base64');
    const anonymous = new STSClient({ endpoint: nimbus.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
    const r = await anonymous.send(new AssumeRoleWithSAMLCommand({ RoleArn: roleArn, PrincipalArn: provider, SAMLAssertion: assertion(`${roleArn},${provider}`) }));
    assert.equal(r.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/jane`);
    assert.equal(r.Subject, 'jane@example.com');
    assert.equal(r.SubjectType, 'persistent');
    assert.equal(r.Issuer, 'https://idp.example.com');
    const other = await rejects(anonymous.send(new AssumeRoleWithSAMLCommand({ RoleArn: roleArn, PrincipalArn: provider, SAMLAssertion: assertion(`arn:aws:iam::${ACCOUNT}:role/other,${provider}`) })));
    assert.equal(other.name, 'AccessDenied');
  });

  it('the AWS CLI manages users and simulates policies', async () => {
    const user = unique('cli');
    const created = await aws(nimbus, ['iam', 'create-user', '--user-name', user]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.json.User.UserName, user);
    const put = await aws(nimbus, ['iam', 'put-user-policy', '--user-name', user, '--policy-name', 'p', '--policy-document', doc({ Effect: 'Allow', Action: 'sqs:*', Resource: '*' })]);
    assert.equal(put.code, 0, put.stderr);
    const got = await aws(nimbus, ['iam', 'get-user-policy', '--user-name', user, '--policy-name', 'p']);
    assert.equal(got.json.PolicyDocument.Statement[0].Action, 'sqs:*', 'the CLI decodes the URL-encoded document');
    const sim = await aws(nimbus, ['iam', 'simulate-principal-policy', '--policy-source-arn', `arn:aws:iam::${ACCOUNT}:user/${user}`, '--action-names', 'sqs:SendMessage', 's3:GetObject']);
    assert.equal(sim.code, 0, sim.stderr);
    assert.deepEqual(sim.json.EvaluationResults.map((e: any) => e.EvalDecision), ['allowed', 'implicitDeny']);
    const missing = await aws(nimbus, ['iam', 'get-user', '--user-name', unique('ghost')]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NoSuchEntity/);
  });
});

describe('virtual MFA codes', () => {
  it('match the RFC 6238 test vectors (SHA-1, six digits)', async () => {
    const { totp, newSeed } = await import('../src/iam/totp.js');
    const seed = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // base32 of "12345678901234567890"
    assert.equal(totp(seed, Math.floor(59 / 30)), '287082');
    assert.equal(totp(seed, Math.floor(1111111109 / 30)), '081804');
    assert.equal(totp(seed, Math.floor(1234567890 / 30)), '005924');
    assert.equal(totp(seed, Math.floor(2000000000 / 30)), '279037');
    assert.match(newSeed(), /^[A-Z2-7]{32}$/);
  });
});

describe('IAM persistence', () => {
  it('users, policies and access keys survive a restart of a persistent Nimbus', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-iam-'));
    try {
      let nimbus = await start({ ephemeral: false, dataDir });
      const iam = () => new IAMClient(clientConfig(nimbus));
      await iam().send(new CreateUserCommand({ UserName: 'kept' }));
      await iam().send(new PutUserPolicyCommand({ UserName: 'kept', PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }) }));
      const key = (await iam().send(new CreateAccessKeyCommand({ UserName: 'kept' }))).AccessKey!;
      await nimbus.stop();
      nimbus = await start({ ephemeral: false, dataDir, enforceIam: true });
      try {
        const sts = new STSClient(clientConfig(nimbus, { credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } }));
        assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCOUNT}:user/kept`);
        assert.deepEqual((await iam().send(new GetUserPolicyCommand({ UserName: 'kept', PolicyName: 'p' }))).PolicyName, 'p');
      } finally {
        await nimbus.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
