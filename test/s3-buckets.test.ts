import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteBucketCorsCommand, DeleteBucketPolicyCommand, DeleteBucketTaggingCommand, GetBucketAclCommand,
  GetBucketCorsCommand, GetBucketEncryptionCommand, GetBucketLifecycleConfigurationCommand, GetBucketLocationCommand, GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand, GetBucketTaggingCommand, GetBucketVersioningCommand, GetBucketWebsiteCommand, GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand, HeadBucketCommand, ListBucketsCommand, PutBucketAclCommand, PutBucketCorsCommand, PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand, PutBucketPolicyCommand, PutBucketTaggingCommand, PutBucketVersioningCommand, PutBucketWebsiteCommand,
  PutObjectCommand, PutObjectLockConfigurationCommand, PutPublicAccessBlockCommand, S3Client, DeleteObjectCommand,
  PutBucketMetricsConfigurationCommand, GetBucketMetricsConfigurationCommand, ListBucketMetricsConfigurationsCommand, DeleteBucketMetricsConfigurationCommand,
  PutBucketInventoryConfigurationCommand, ListBucketInventoryConfigurationsCommand, GetObjectCommand, PutBucketOwnershipControlsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

/** S3 buckets and their stored configuration, through the SDK v3 and the AWS CLI. */
describe('S3 buckets', () => {
  let nimbus: Nimbus;
  let s3: S3Client;
  let n = 0;
  const unique = (tag: string) => `${tag}-${process.pid}-${++n}`;
  before(async () => {
    nimbus = await start();
    s3 = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
  });
  after(() => nimbus.stop());

  const regional = (region: string) => new S3Client(clientConfig(nimbus, { forcePathStyle: true, region }));
  const otherAccount = () => new S3Client(clientConfig(nimbus, { forcePathStyle: true, credentials: { accessKeyId: '111122223333', secretAccessKey: 'x' } }));

  it('creates, heads, lists and deletes a bucket', async () => {
    const name = unique('lifecycle');
    const created = await s3.send(new CreateBucketCommand({ Bucket: name }));
    assert.equal(created.Location, `/${name}`);
    const head = await s3.send(new HeadBucketCommand({ Bucket: name }));
    assert.equal(head.BucketRegion, 'us-east-1');
    const list = await s3.send(new ListBucketsCommand({}));
    const entry = list.Buckets?.find((b) => b.Name === name);
    assert.ok(entry?.CreationDate instanceof Date);
    assert.equal(list.Owner?.ID?.length, 64);
    await s3.send(new DeleteBucketCommand({ Bucket: name }));
    const err = await rejects(s3.send(new HeadBucketCommand({ Bucket: name })));
    assert.equal(err.$metadata.httpStatusCode, 404);
    assert.equal(err.name, 'NotFound');
  });

  it('rejects names that break the naming rules with InvalidBucketName', async () => {
    for (const bad of ['ab', 'UpperCase', 'under_score', '192.168.5.4', 'a..b', '-dash', 'x'.repeat(64), 'xn--punycode']) {
      const err = await rejects(s3.send(new CreateBucketCommand({ Bucket: bad })));
      assert.equal(err.name, 'InvalidBucketName', bad);
      assert.equal(err.$metadata.httpStatusCode, 400);
    }
  });

  it('bucket names are global: another account gets BucketAlreadyExists, the owner elsewhere BucketAlreadyOwnedByYou', async () => {
    const name = unique('global');
    const eu = regional('eu-west-1');
    await eu.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    const mine = await rejects(eu.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })));
    assert.equal(mine.name, 'BucketAlreadyOwnedByYou');
    assert.equal(mine.$metadata.httpStatusCode, 409);
    const theirs = await rejects(otherAccount().send(new CreateBucketCommand({ Bucket: name })));
    assert.equal(theirs.name, 'BucketAlreadyExists');
    assert.equal(theirs.$metadata.httpStatusCode, 409);
    // The other account does not see it in its list, and may not use it.
    const list = await otherAccount().send(new ListBucketsCommand({}));
    assert.ok(!list.Buckets?.some((b) => b.Name === name));
    const denied = await rejects(otherAccount().send(new PutObjectCommand({ Bucket: name, Key: 'k', Body: 'x' })));
    assert.equal(denied.name, 'AccessDenied');
  });

  it('us-east-1 lets the owner re-create its bucket, as AWS does for legacy compatibility', async () => {
    const name = unique('legacy');
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    await s3.send(new CreateBucketCommand({ Bucket: name }));
  });

  it('keeps the LocationConstraint as the bucket region and checks it against the endpoint region', async () => {
    const name = unique('located');
    const eu = regional('eu-central-1');
    await eu.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' } }));
    const loc = await eu.send(new GetBucketLocationCommand({ Bucket: name }));
    assert.equal(loc.LocationConstraint, 'eu-central-1');
    const head = await eu.send(new HeadBucketCommand({ Bucket: name }));
    assert.equal(head.BucketRegion, 'eu-central-1');
    const east = unique('east');
    await s3.send(new CreateBucketCommand({ Bucket: east }));
    const eastLoc = await s3.send(new GetBucketLocationCommand({ Bucket: east }));
    assert.equal(eastLoc.LocationConstraint, undefined);

    const mismatch = await rejects(eu.send(new CreateBucketCommand({ Bucket: unique('mismatch'), CreateBucketConfiguration: { LocationConstraint: 'ap-south-1' } })));
    assert.equal(mismatch.name, 'IllegalLocationConstraintException');
    const explicitEast = await rejects(s3.send(new CreateBucketCommand({ Bucket: unique('expl'), CreateBucketConfiguration: { LocationConstraint: 'us-east-1' as never } })));
    assert.equal(explicitEast.$metadata.httpStatusCode, 400);
  });

  it('refuses to delete a bucket that holds objects with BucketNotEmpty', async () => {
    const name = unique('full');
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    await s3.send(new PutObjectCommand({ Bucket: name, Key: 'a', Body: 'x' }));
    const err = await rejects(s3.send(new DeleteBucketCommand({ Bucket: name })));
    assert.equal(err.name, 'BucketNotEmpty');
    assert.equal(err.$metadata.httpStatusCode, 409);
    await s3.send(new DeleteObjectCommand({ Bucket: name, Key: 'a' }));
    await s3.send(new DeleteBucketCommand({ Bucket: name }));
  });

  it('answers NoSuchBucket for a bucket that does not exist', async () => {
    const err = await rejects(s3.send(new GetBucketLocationCommand({ Bucket: unique('nowhere') })));
    assert.equal(err.name, 'NoSuchBucket');
    assert.equal(err.$metadata.httpStatusCode, 404);
    const del = await rejects(s3.send(new DeleteBucketCommand({ Bucket: unique('nowhere') })));
    assert.equal(del.name, 'NoSuchBucket');
  });

  it('lists buckets by prefix, a page at a time', async () => {
    const prefix = unique('page');
    for (const s of ['a', 'b', 'c']) await s3.send(new CreateBucketCommand({ Bucket: `${prefix}-${s}` }));
    const first = await s3.send(new ListBucketsCommand({ Prefix: prefix, MaxBuckets: 2 }));
    assert.deepEqual(first.Buckets?.map((b) => b.Name), [`${prefix}-a`, `${prefix}-b`]);
    assert.ok(first.ContinuationToken);
    const second = await s3.send(new ListBucketsCommand({ Prefix: prefix, MaxBuckets: 2, ContinuationToken: first.ContinuationToken }));
    assert.deepEqual(second.Buckets?.map((b) => b.Name), [`${prefix}-c`]);
    assert.equal(second.ContinuationToken, undefined);
  });

  it('turns versioning on and suspends it', async () => {
    const name = unique('versioned');
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: name }))).Status, undefined);
    await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }));
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: name }))).Status, 'Enabled');
    await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Suspended' } }));
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: name }))).Status, 'Suspended');
  });

  it('stores tagging, policy, CORS, website, lifecycle, public access block and encryption, with AWS errors when absent', async () => {
    const name = unique('configs');
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    const absent: [string, () => Promise<unknown>][] = [
      ['NoSuchTagSet', () => s3.send(new GetBucketTaggingCommand({ Bucket: name }))],
      ['NoSuchBucketPolicy', () => s3.send(new GetBucketPolicyCommand({ Bucket: name }))],
      ['NoSuchCORSConfiguration', () => s3.send(new GetBucketCorsCommand({ Bucket: name }))],
      ['NoSuchWebsiteConfiguration', () => s3.send(new GetBucketWebsiteCommand({ Bucket: name }))],
      ['NoSuchLifecycleConfiguration', () => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: name }))],
      ['NoSuchPublicAccessBlockConfiguration', () => s3.send(new GetPublicAccessBlockCommand({ Bucket: name }))],
      ['ObjectLockConfigurationNotFoundError', () => s3.send(new GetObjectLockConfigurationCommand({ Bucket: name }))],
    ];
    for (const [code, call] of absent) {
      const err = await rejects(call());
      assert.equal(err.name, code);
      assert.equal(err.$metadata.httpStatusCode, 404);
    }

    await s3.send(new PutBucketTaggingCommand({ Bucket: name, Tagging: { TagSet: [{ Key: 'team', Value: 'storage' }, { Key: 'env', Value: 'dev' }] } }));
    assert.deepEqual((await s3.send(new GetBucketTaggingCommand({ Bucket: name }))).TagSet, [{ Key: 'team', Value: 'storage' }, { Key: 'env', Value: 'dev' }]);
    const dup = await rejects(s3.send(new PutBucketTaggingCommand({ Bucket: name, Tagging: { TagSet: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] } })));
    assert.equal(dup.name, 'InvalidTag');
    await s3.send(new DeleteBucketTaggingCommand({ Bucket: name }));
    assert.equal((await rejects(s3.send(new GetBucketTaggingCommand({ Bucket: name })))).name, 'NoSuchTagSet');

    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${name}/*` }] });
    await s3.send(new PutBucketPolicyCommand({ Bucket: name, Policy: policy }));
    assert.equal((await s3.send(new GetBucketPolicyCommand({ Bucket: name }))).Policy, policy);
    const malformed = await rejects(s3.send(new PutBucketPolicyCommand({ Bucket: name, Policy: 'not json' })));
    assert.equal(malformed.name, 'MalformedPolicy');
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: name }));

    await s3.send(new PutBucketCorsCommand({ Bucket: name, CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET', 'PUT'], AllowedOrigins: ['https://app.example'], AllowedHeaders: ['*'], MaxAgeSeconds: 600 }] } }));
    const cors = await s3.send(new GetBucketCorsCommand({ Bucket: name }));
    assert.deepEqual(cors.CORSRules?.[0]?.AllowedMethods, ['GET', 'PUT']);
    assert.equal(cors.CORSRules?.[0]?.MaxAgeSeconds, 600);
    await s3.send(new DeleteBucketCorsCommand({ Bucket: name }));

    await s3.send(new PutBucketWebsiteCommand({ Bucket: name, WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' }, ErrorDocument: { Key: 'error.html' } } }));
    const site = await s3.send(new GetBucketWebsiteCommand({ Bucket: name }));
    assert.equal(site.IndexDocument?.Suffix, 'index.html');
    assert.equal(site.ErrorDocument?.Key, 'error.html');

    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: name, LifecycleConfiguration: { Rules: [{ ID: 'expire-logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 } }] } }));
    const noAction = await rejects(s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: name, LifecycleConfiguration: { Rules: [{ ID: 'empty', Status: 'Enabled', Filter: {} }] } })));
    assert.equal(noAction.name, 'InvalidRequest');
    const badCors = await rejects(s3.send(new PutBucketCorsCommand({ Bucket: name, CORSConfiguration: { CORSRules: [{ AllowedMethods: ['PATCH'], AllowedOrigins: ['*'] }] } })));
    assert.equal(badCors.name, 'InvalidRequest');
    const notOwner = await rejects(s3.send(new GetBucketTaggingCommand({ Bucket: name, ExpectedBucketOwner: '999999999999' })));
    assert.equal(notOwner.name, 'AccessDenied');
    const lc = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: name }));
    assert.equal(lc.Rules?.[0]?.ID, 'expire-logs');
    assert.equal(lc.Rules?.[0]?.Expiration?.Days, 30);
    assert.equal(lc.Rules?.[0]?.Filter?.Prefix, 'logs/');

    await s3.send(new PutPublicAccessBlockCommand({ Bucket: name, PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false } }));
    const pab = await s3.send(new GetPublicAccessBlockCommand({ Bucket: name }));
    assert.equal(pab.PublicAccessBlockConfiguration?.BlockPublicAcls, true);
    assert.equal(pab.PublicAccessBlockConfiguration?.BlockPublicPolicy, false);

    const defaultSse = await s3.send(new GetBucketEncryptionCommand({ Bucket: name }));
    assert.equal(defaultSse.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm, 'AES256');
    await s3.send(new PutBucketEncryptionCommand({ Bucket: name, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/mine' } }] } }));
    const sse = await s3.send(new GetBucketEncryptionCommand({ Bucket: name }));
    assert.equal(sse.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID, 'alias/mine');
  });

  it('new buckets enforce bucket-owner ownership, so only owner ACLs are accepted', async () => {
    const name = unique('acl');
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    const own = await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: name }));
    assert.equal(own.OwnershipControls?.Rules?.[0]?.ObjectOwnership, 'BucketOwnerEnforced');
    const acl = await s3.send(new GetBucketAclCommand({ Bucket: name }));
    assert.equal(acl.Grants?.[0]?.Permission, 'FULL_CONTROL');
    assert.equal(acl.Grants?.[0]?.Grantee?.Type, 'CanonicalUser');
    const err = await rejects(s3.send(new PutBucketAclCommand({ Bucket: name, ACL: 'public-read' })));
    assert.equal(err.name, 'AccessControlListNotSupported');

    const legacy = unique('acl-legacy');
    await s3.send(new CreateBucketCommand({ Bucket: legacy, ObjectOwnership: 'ObjectWriter' }));
    await s3.send(new PutBucketAclCommand({ Bucket: legacy, ACL: 'public-read' }));
    const grants = (await s3.send(new GetBucketAclCommand({ Bucket: legacy }))).Grants ?? [];
    assert.ok(grants.some((g) => g.Grantee?.URI === 'http://acs.amazonaws.com/groups/global/AllUsers' && g.Permission === 'READ'));
  });

  it('object lock needs a versioned bucket, and is on from creation when asked', async () => {
    const plain = unique('nolock');
    await s3.send(new CreateBucketCommand({ Bucket: plain }));
    const err = await rejects(s3.send(new PutObjectLockConfigurationCommand({ Bucket: plain, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } })));
    assert.equal(err.name, 'InvalidBucketState');
    const locked = unique('locked');
    await s3.send(new CreateBucketCommand({ Bucket: locked, ObjectLockEnabledForBucket: true }));
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: locked }))).Status, 'Enabled');
    assert.equal((await s3.send(new GetObjectLockConfigurationCommand({ Bucket: locked }))).ObjectLockConfiguration?.ObjectLockEnabled, 'Enabled');
  });

  it('answers a browser preflight from the CORS rules', async () => {
    const name = unique('preflight');
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    const ask = (origin: string, method: string, headers?: string) => fetch(`${nimbus.endpoint}/${name}/file.txt`, {
      method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, ...(headers ? { 'access-control-request-headers': headers } : {}) },
    });
    const disabled = await ask('https://app.example', 'GET');
    assert.equal(disabled.status, 403);
    assert.match(await disabled.text(), /<Code>AccessForbidden<\/Code>/);
    await s3.send(new PutBucketCorsCommand({ Bucket: name, CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET', 'PUT'], AllowedOrigins: ['https://*.example'], AllowedHeaders: ['content-*', 'x-amz-*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 300 }] } }));
    const ok = await ask('https://app.example', 'PUT', 'Content-Type, X-Amz-Meta-Color');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal(ok.headers.get('access-control-allow-methods'), 'GET, PUT');
    assert.equal(ok.headers.get('access-control-allow-headers'), 'Content-Type, X-Amz-Meta-Color');
    assert.equal(ok.headers.get('access-control-expose-headers'), 'ETag');
    assert.equal(ok.headers.get('access-control-max-age'), '300');
    assert.equal((await ask('https://evil.test', 'GET')).status, 403);
    assert.equal((await ask('https://app.example', 'DELETE')).status, 403);
    assert.equal((await ask('https://app.example', 'PUT', 'authorization')).status, 403);
  });

  it('puts the CORS headers on the actual response to a browser origin, errors included', async () => {
    const name = unique('cors-actual');
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    await s3.send(new PutObjectCommand({ Bucket: name, Key: 'page.txt', Body: 'hello' }));
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: name, Key: 'page.txt' }));
    const before = await fetch(url, { headers: { origin: 'https://app.example' } });
    assert.equal(before.headers.get('access-control-allow-origin'), null);
    await s3.send(new PutBucketCorsCommand({ Bucket: name, CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'], ExposeHeaders: ['ETag'] }] } }));
    const res = await fetch(url, { headers: { origin: 'https://app.example' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('access-control-expose-headers'), 'ETag');
    const missing = await fetch(await getSignedUrl(s3, new GetObjectCommand({ Bucket: name, Key: 'absent' })), { headers: { origin: 'https://app.example' } });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('access-control-allow-origin'), '*');
    const noOrigin = await fetch(url);
    assert.equal(noOrigin.headers.get('access-control-allow-origin'), null);
  });

  it('keeps metrics and inventory configurations by id, listed in id order', async () => {
    const name = unique('named');
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    for (const id of ['b-docs', 'a-all']) {
      await s3.send(new PutBucketMetricsConfigurationCommand({ Bucket: name, Id: id, MetricsConfiguration: { Id: id, Filter: { Prefix: 'docs/' } } }));
    }
    const got = await s3.send(new GetBucketMetricsConfigurationCommand({ Bucket: name, Id: 'b-docs' }));
    assert.equal(got.MetricsConfiguration?.Filter?.Prefix, 'docs/');
    const list = await s3.send(new ListBucketMetricsConfigurationsCommand({ Bucket: name }));
    assert.deepEqual(list.MetricsConfigurationList?.map((m) => m.Id), ['a-all', 'b-docs']);
    assert.equal(list.IsTruncated, false);
    await s3.send(new DeleteBucketMetricsConfigurationCommand({ Bucket: name, Id: 'a-all' }));
    const missing = await rejects(s3.send(new GetBucketMetricsConfigurationCommand({ Bucket: name, Id: 'a-all' })));
    assert.equal(missing.name, 'NoSuchConfiguration');
    assert.equal(missing.$metadata.httpStatusCode, 404);
    await s3.send(new PutBucketInventoryConfigurationCommand({
      Bucket: name, Id: 'weekly',
      InventoryConfiguration: { Id: 'weekly', IsEnabled: true, IncludedObjectVersions: 'Current', Schedule: { Frequency: 'Weekly' }, Destination: { S3BucketDestination: { Bucket: `arn:aws:s3:::${name}`, Format: 'CSV' } } },
    }));
    const inv = await s3.send(new ListBucketInventoryConfigurationsCommand({ Bucket: name }));
    assert.equal(inv.InventoryConfigurationList?.[0]?.Schedule?.Frequency, 'Weekly');
  });

  it('another account gets in only as the bucket policy says, and a Deny wins', async () => {
    const name = unique('shared');
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    await s3.send(new PutObjectCommand({ Bucket: name, Key: 'shared/a.txt', Body: 'for the partner' }));
    await s3.send(new PutObjectCommand({ Bucket: name, Key: 'shared/secret.txt', Body: 'no' }));
    const partner = otherAccount();
    assert.equal((await rejects(partner.send(new GetObjectCommand({ Bucket: name, Key: 'shared/a.txt' })))).name, 'AccessDenied');
    await s3.send(new PutBucketPolicyCommand({
      Bucket: name,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::${name}/shared/*` },
          { Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${name}/shared/secret.txt` },
        ],
      }),
    }));
    const got = await partner.send(new GetObjectCommand({ Bucket: name, Key: 'shared/a.txt' }));
    assert.equal(await got.Body!.transformToString(), 'for the partner');
    await partner.send(new PutObjectCommand({ Bucket: name, Key: 'shared/from-partner.txt', Body: 'hi' }));
    assert.equal((await rejects(partner.send(new GetObjectCommand({ Bucket: name, Key: 'shared/secret.txt' })))).name, 'AccessDenied');
    assert.equal((await rejects(s3.send(new GetObjectCommand({ Bucket: name, Key: 'shared/secret.txt' })))).name, 'AccessDenied');
    assert.equal((await rejects(partner.send(new GetBucketPolicyCommand({ Bucket: name })))).name, 'AccessDenied');
  });

  it('bucket policy statements apply only where their conditions hold, Deny included', async () => {
    const name = unique('conditional');
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    await s3.send(new PutObjectCommand({ Bucket: name, Key: 'shared/a.txt', Body: 'for the partner' }));
    await s3.send(new PutObjectCommand({ Bucket: name, Key: 'private/b.txt', Body: 'not listed' }));
    const partner = otherAccount();
    const policy = (statements: object[]) => s3.send(new PutBucketPolicyCommand({ Bucket: name, Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
    const partnerPrincipal = { AWS: 'arn:aws:iam::111122223333:root' };
    // Tests run from 127.0.0.1: an Allow for another network lets nobody in; one for loopback does.
    await policy([{ Effect: 'Allow', Principal: partnerPrincipal, Action: 's3:GetObject', Resource: `arn:aws:s3:::${name}/*`, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }]);
    assert.equal((await rejects(partner.send(new GetObjectCommand({ Bucket: name, Key: 'shared/a.txt' })))).name, 'AccessDenied');
    await policy([{ Effect: 'Allow', Principal: partnerPrincipal, Action: 's3:GetObject', Resource: `arn:aws:s3:::${name}/*`, Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } }]);
    assert.equal(await (await partner.send(new GetObjectCommand({ Bucket: name, Key: 'shared/a.txt' }))).Body!.transformToString(), 'for the partner');

    // Listing only under a prefix, by the s3:prefix key.
    await policy([{ Effect: 'Allow', Principal: partnerPrincipal, Action: 's3:ListBucket', Resource: `arn:aws:s3:::${name}`, Condition: { StringLike: { 's3:prefix': 'shared/*' } } }]);
    const listed = await partner.send(new ListObjectsV2Command({ Bucket: name, Prefix: 'shared/' }));
    assert.deepEqual(listed.Contents?.map((c) => c.Key), ['shared/a.txt']);
    assert.equal((await rejects(partner.send(new ListObjectsV2Command({ Bucket: name })))).name, 'AccessDenied');

    // The common "TLS only" Deny: Nimbus speaks plain HTTP, so it shuts out even the owner.
    await policy([{ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${name}/*`, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }]);
    assert.equal((await rejects(s3.send(new GetObjectCommand({ Bucket: name, Key: 'shared/a.txt' })))).name, 'AccessDenied');
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: name }));
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: name, Key: 'shared/a.txt' }))).Body!.transformToString(), 'for the partner');

    const malformed = await rejects(policy([{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${name}/*`, Condition: { StringEqualz: { 's3:prefix': 'x' } } }]));
    assert.equal(malformed.name, 'MalformedPolicy');
  });

  it('public-read ACLs let anonymous readers in once ownership allows ACLs, unless the access block ignores them', async () => {
    const name = unique('public');
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    const enforced = await rejects(s3.send(new PutObjectCommand({ Bucket: name, Key: 'p.txt', Body: 'x', ACL: 'public-read' })));
    assert.equal(enforced.name, 'AccessControlListNotSupported');
    await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: name, OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }));
    await s3.send(new PutObjectCommand({ Bucket: name, Key: 'p.txt', Body: 'public', ACL: 'public-read' }));
    await s3.send(new PutObjectCommand({ Bucket: name, Key: 'q.txt', Body: 'private' }));
    assert.equal((await fetch(`${nimbus.endpoint}/${name}/p.txt`)).status, 200);
    assert.equal((await fetch(`${nimbus.endpoint}/${name}/q.txt`)).status, 403);
    assert.equal((await fetch(`${nimbus.endpoint}/${name}?list-type=2`)).status, 403);
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: name, PublicAccessBlockConfiguration: { IgnorePublicAcls: true } }));
    assert.equal((await fetch(`${nimbus.endpoint}/${name}/p.txt`)).status, 403);
  });

  it('works from the AWS CLI: mb, ACLs, locations, rb and s3api errors', async () => {
    const name = unique('cli');
    const mb = await aws(nimbus, ['s3', 'mb', `s3://${name}`]);
    assert.equal(mb.code, 0, mb.stderr);
    const acl = await aws(nimbus, ['s3api', 'get-bucket-acl', '--bucket', name]);
    assert.equal(acl.code, 0, acl.stderr);
    assert.equal(acl.json.Grants[0].Grantee.Type, 'CanonicalUser');
    const eu = unique('cli-eu');
    const made = await aws(nimbus, ['s3api', 'create-bucket', '--bucket', eu, '--create-bucket-configuration', 'LocationConstraint=eu-west-1', '--region', 'eu-west-1']);
    assert.equal(made.code, 0, made.stderr);
    assert.equal((await aws(nimbus, ['s3api', 'get-bucket-location', '--bucket', eu, '--region', 'eu-west-1'])).json.LocationConstraint, 'eu-west-1');
    const rb = await aws(nimbus, ['s3', 'rb', `s3://${name}`]);
    assert.equal(rb.code, 0, rb.stderr);
    const head = await aws(nimbus, ['s3api', 'head-bucket', '--bucket', name]);
    assert.notEqual(head.code, 0);
    assert.match(head.stderr, /404/);
  });
});
