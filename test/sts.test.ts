import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';
import { ROLE_AND_SESSION_OPERATIONS, roleAndSessionHandlers } from '../src/services/sts/index.js';

describe('STS', () => {
  let nimbus: Nimbus;
  let sts: STSClient;
  before(async () => {
    nimbus = await start();
    sts = new STSClient(clientConfig(nimbus));
  });
  after(() => nimbus.stop());

  it('GetCallerIdentity with any key answers the root user of account 000000000000', async () => {
    const id = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(id.Account, '000000000000');
    assert.equal(id.Arn, 'arn:aws:iam::000000000000:root');
    assert.equal(id.UserId, '000000000000');
    assert.match(id.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
  });

  it('imports the role and session handlers on first use under exactly the names they implement', async () => {
    assert.deepEqual(Object.keys(await roleAndSessionHandlers()).sort(), [...ROLE_AND_SESSION_OPERATIONS].sort());
  });

  it('a 12-digit access key id selects that account', async () => {
    const other = new STSClient(clientConfig(nimbus, { credentials: { accessKeyId: '123456789012', secretAccessKey: 'x' } }));
    const id = await other.send(new GetCallerIdentityCommand({}));
    assert.equal(id.Account, '123456789012');
  });

  it('AssumeRole returns credentials that sign later requests as the assumed role', async () => {
    const r = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/app/deployer', RoleSessionName: 'ci-run' }));
    assert.match(r.Credentials!.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(r.AssumedRoleUser!.Arn, 'arn:aws:sts::111122223333:assumed-role/deployer/ci-run');
    const expiresIn = r.Credentials!.Expiration!.getTime() - Date.now();
    assert.ok(expiresIn > 3500_000 && expiresIn <= 3600_000, `expires in ${expiresIn} ms`);
    const assumed = new STSClient(clientConfig(nimbus, {
      credentials: { accessKeyId: r.Credentials!.AccessKeyId!, secretAccessKey: r.Credentials!.SecretAccessKey!, sessionToken: r.Credentials!.SessionToken! },
    }));
    const id = await assumed.send(new GetCallerIdentityCommand({}));
    assert.equal(id.Account, '111122223333');
    assert.equal(id.Arn, 'arn:aws:sts::111122223333:assumed-role/deployer/ci-run');
    assert.equal(id.UserId, r.AssumedRoleUser!.AssumedRoleId);
  });

  it('a wrong secret for temporary credentials is SignatureDoesNotMatch', async () => {
    const r = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/r', RoleSessionName: 'sess' }));
    const forged = new STSClient(clientConfig(nimbus, {
      credentials: { accessKeyId: r.Credentials!.AccessKeyId!, secretAccessKey: 'not-the-secret', sessionToken: r.Credentials!.SessionToken! },
    }));
    const err = await rejects(forged.send(new GetCallerIdentityCommand({})));
    assert.equal(err.name, 'SignatureDoesNotMatch');
    assert.equal(err.$metadata.httpStatusCode, 403);
  });

  it('temporary credentials without their session token are rejected as invalid', async () => {
    const r = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/r', RoleSessionName: 'sess' }));
    const noToken = new STSClient(clientConfig(nimbus, { credentials: { accessKeyId: r.Credentials!.AccessKeyId!, secretAccessKey: r.Credentials!.SecretAccessKey! } }));
    const err = await rejects(noToken.send(new GetCallerIdentityCommand({})));
    assert.equal(err.name, 'InvalidClientTokenId');
    assert.equal(err.$metadata.httpStatusCode, 403);
  });

  it('temporary credentials expire when the Nimbus clock passes their expiration', async () => {
    const local = await start();
    try {
      const client = new STSClient(clientConfig(local));
      const r = await client.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/r', RoleSessionName: 'sess', DurationSeconds: 900 }));
      const assumed = new STSClient(clientConfig(local, {
        credentials: { accessKeyId: r.Credentials!.AccessKeyId!, secretAccessKey: r.Credentials!.SecretAccessKey!, sessionToken: r.Credentials!.SessionToken! },
      }));
      await assumed.send(new GetCallerIdentityCommand({}));
      const res = await fetch(`${local.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '16m' }) });
      assert.equal(res.status, 200);
      const err = await rejects(assumed.send(new GetCallerIdentityCommand({})));
      assert.equal(err.name, 'ExpiredToken');
      assert.equal(err.$metadata.httpStatusCode, 400);
    } finally {
      await local.stop();
    }
  });

  it('GetSessionToken issues working credentials for the caller, but not from session credentials', async () => {
    const t = await sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const session = new STSClient(clientConfig(nimbus, {
      credentials: { accessKeyId: t.Credentials!.AccessKeyId!, secretAccessKey: t.Credentials!.SecretAccessKey!, sessionToken: t.Credentials!.SessionToken! },
    }));
    const id = await session.send(new GetCallerIdentityCommand({}));
    assert.equal(id.Arn, 'arn:aws:iam::000000000000:root');
    const r = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/r', RoleSessionName: 'sess' }));
    const assumed = new STSClient(clientConfig(nimbus, {
      credentials: { accessKeyId: r.Credentials!.AccessKeyId!, secretAccessKey: r.Credentials!.SecretAccessKey!, sessionToken: r.Credentials!.SessionToken! },
    }));
    const err = await rejects(assumed.send(new GetSessionTokenCommand({})));
    assert.equal(err.name, 'AccessDenied');
    assert.equal(err.$metadata.httpStatusCode, 403);
  });

  it('AssumeRole without RoleArn is a ValidationError naming the member', async () => {
    const err = await rejects(sts.send(new AssumeRoleCommand({ RoleSessionName: 'sess' } as never)));
    assert.equal(err.name, 'ValidationError');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.match(err.message, /Value null at 'roleArn' failed to satisfy constraint: Member must not be null/);
  });

  it('AssumeRole with DurationSeconds below 900 is a ValidationError', async () => {
    const err = await rejects(sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/r', RoleSessionName: 'sess', DurationSeconds: 60 })));
    assert.equal(err.name, 'ValidationError');
    assert.match(err.message, /Member must have value greater than or equal to 900/);
  });

  it('AssumeRole with a malformed role ARN or session name is rejected', async () => {
    const bad = await rejects(sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:s3:::not-a-role-at-all', RoleSessionName: 's1' })));
    assert.equal(bad.name, 'ValidationError');
    const name = await rejects(sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/r', RoleSessionName: 'has space' })));
    assert.equal(name.name, 'ValidationError');
    assert.match(name.message, /roleSessionName/);
  });

  it('the AWS CLI gets the caller identity and assumes a role', async () => {
    const id = await aws(nimbus, ['sts', 'get-caller-identity']);
    assert.equal(id.code, 0, id.stderr);
    assert.equal(id.json.Account, '000000000000');
    const r = await aws(nimbus, ['sts', 'assume-role', '--role-arn', 'arn:aws:iam::444455556666:role/x', '--role-session-name', 'cli']);
    assert.equal(r.code, 0, r.stderr);
    const again = await aws(nimbus, ['sts', 'get-caller-identity'], {
      AWS_ACCESS_KEY_ID: r.json.Credentials.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: r.json.Credentials.SecretAccessKey,
      AWS_SESSION_TOKEN: r.json.Credentials.SessionToken,
    });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.json.Arn, 'arn:aws:sts::444455556666:assumed-role/x/cli');
  });

  it('the AWS CLI shows a wrong secret as SignatureDoesNotMatch', async () => {
    const r = await aws(nimbus, ['sts', 'get-session-token', '--duration-seconds', '900']);
    assert.equal(r.code, 0, r.stderr);
    const bad = await aws(nimbus, ['sts', 'get-caller-identity'], {
      AWS_ACCESS_KEY_ID: r.json.Credentials.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: 'wrong',
      AWS_SESSION_TOKEN: r.json.Credentials.SessionToken,
    });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /SignatureDoesNotMatch/);
  });
});
