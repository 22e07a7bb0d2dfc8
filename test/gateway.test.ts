import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import type { Nimbus } from '../src/index.js';
import { aws, CLI, clientConfig, rejects, start } from './helpers.js';
import { Recorder } from '../src/gateway/record.js';

const FAKE_AUTH = (service: string) => `AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`;

describe('gateway', () => {
  let nimbus: Nimbus;
  before(async () => {
    nimbus = await start({
      maxBodyBytes: 4096,
      handlers: { s3: { GetObject: (input: { Key: string }) => ({ Body: Buffer.from(`object ${input.Key}`) }) } },
    });
  });
  after(() => nimbus.stop());

  describe('internal routes', () => {
    it('/_nimbus/health reports version, uptime and each service', async () => {
      const res = await fetch(`${nimbus.endpoint}/_nimbus/health`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as { status: string; version: string; uptimeSeconds: number; services: Record<string, string> };
      assert.equal(body.status, 'running');
      assert.match(body.version, /^\d+\.\d+\.\d+/);
      assert.ok(body.uptimeSeconds >= 0);
      assert.ok(['available', 'running'].includes(body.services['sts']!));
    });

    it('/_localstack/health answers in LocalStack\'s shape', async () => {
      await new STSClient(clientConfig(nimbus)).send(new GetCallerIdentityCommand({}));
      const body = (await (await fetch(`${nimbus.endpoint}/_localstack/health`)).json()) as Record<string, any>;
      assert.equal(body['services']['sts'], 'running');
      assert.equal(typeof body['edition'], 'string');
      assert.equal(typeof body['version'], 'string');
    });

    it('/_nimbus/audit lists each request oldest first: caller, operation, region, status and error code', async () => {
      const local = await start();
      try {
        const sts = new STSClient(clientConfig(local, { region: 'eu-west-1' }));
        await sts.send(new GetCallerIdentityCommand({}));
        const denied = await rejects(sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/none', RoleSessionName: 'x' })));
        await new STSClient(clientConfig(local, { credentials: { accessKeyId: '123456789012', secretAccessKey: 'x' } })).send(new GetCallerIdentityCommand({}));
        const { events } = (await (await fetch(`${local.endpoint}/_nimbus/audit`)).json()) as { events: Record<string, any>[] };
        assert.deepEqual(events.map((e) => [e['eventSource'], e['eventName'], e['awsRegion'], e['httpStatus'], e['errorCode'], e['userIdentity']['accountId']]), [
          ['sts.amazonaws.com', 'GetCallerIdentity', 'eu-west-1', 200, undefined, '000000000000'],
          ['sts.amazonaws.com', 'AssumeRole', 'eu-west-1', denied.$metadata.httpStatusCode, denied.name, '000000000000'],
          ['sts.amazonaws.com', 'GetCallerIdentity', 'us-east-1', 200, undefined, '123456789012'],
        ]);
        assert.equal(events[0]!['userIdentity']['arn'], 'arn:aws:iam::000000000000:root');
        assert.match(events[0]!['requestId'], /^[0-9a-f-]{36}$/);
        assert.ok(Date.parse(events[0]!['eventTime']) <= Date.parse(events[2]!['eventTime']));
      } finally {
        await local.stop();
      }
    });

    it('the audit ring keeps the latest events, oldest first, once full', () => {
      const recorder = new Recorder('error', 3);
      for (let n = 1; n <= 5; n++) {
        recorder.record({ at: n, requestId: `r${n}`, endpointPrefix: 'sts', eventName: 'GetCallerIdentity', awsRegion: 'us-east-1', sourceIPAddress: '127.0.0.1', userIdentity: { arn: 'a', accountId: '1' }, httpStatus: 200, durationMs: n / 2 });
        assert.deepEqual(recorder.events().map((e) => e.requestId), Array.from({ length: Math.min(n, 3) }, (_, k) => `r${Math.max(1, n - 2) + k}`));
      }
      assert.deepEqual(recorder.events().map((e) => [e.eventTime, e.durationMs]), [[new Date(3).toISOString(), 1.5], [new Date(4).toISOString(), 2], [new Date(5).toISOString(), 2.5]]);
    });

    it('/_nimbus/clock reads and advances the clock, and rejects a bad duration', async () => {
      const local = await start();
      try {
        const before = (await (await fetch(`${local.endpoint}/_nimbus/clock`)).json()) as { epochMillis: number };
        const moved = await fetch(`${local.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '2h' }) });
        assert.equal(moved.status, 200);
        const after = (await moved.json()) as { epochMillis: number; offsetMillis: number };
        assert.equal(after.offsetMillis, 7_200_000);
        assert.ok(after.epochMillis - before.epochMillis >= 7_200_000);
        const bad = await fetch(`${local.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: 'soon' }) });
        assert.equal(bad.status, 400);
        const garbage = await fetch(`${local.endpoint}/_nimbus/clock`, { method: 'POST', body: '{{{' });
        assert.equal(garbage.status, 400);
      } finally {
        await local.stop();
      }
    });

    it('/_nimbus/reset forgets temporary credentials', async () => {
      const local = await start();
      try {
        const sts = new STSClient(clientConfig(local));
        const r = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/r', RoleSessionName: 'before-reset' }));
        const assumed = new STSClient(clientConfig(local, {
          credentials: { accessKeyId: r.Credentials!.AccessKeyId!, secretAccessKey: r.Credentials!.SecretAccessKey!, sessionToken: r.Credentials!.SessionToken! },
        }));
        assert.match((await assumed.send(new GetCallerIdentityCommand({}))).Arn!, /assumed-role/);
        assert.equal((await fetch(`${local.endpoint}/_nimbus/reset`, { method: 'POST' })).status, 200);
        assert.equal((await assumed.send(new GetCallerIdentityCommand({}))).Arn, 'arn:aws:iam::000000000000:root');
      } finally {
        await local.stop();
      }
    });

    it('an unknown internal route is 404', async () => {
      assert.equal((await fetch(`${nimbus.endpoint}/_nimbus/nothing-here`)).status, 404);
    });
  });

  describe('bad input', () => {
    it('a garbage JSON body is SerializationException', async () => {
      const res = await fetch(nimbus.endpoint, {
        method: 'POST',
        headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0', authorization: FAKE_AUTH('dynamodb') },
        body: '{"Limit": 3,,',
      });
      assert.equal(res.status, 400);
      const body = (await res.json()) as { __type: string; message: string };
      assert.equal(body.__type, 'com.amazon.coral.service#SerializationException');
    });

    it('a JSON member of the wrong type is SerializationException', async () => {
      const res = await fetch(nimbus.endpoint, {
        method: 'POST',
        headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0', authorization: FAKE_AUTH('dynamodb') },
        body: '{"Limit": "three"}',
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { __type: string }).__type, 'com.amazon.coral.service#SerializationException');
    });

    it('an unknown X-Amz-Target operation is UnknownOperationException', async () => {
      const res = await fetch(nimbus.endpoint, {
        method: 'POST',
        headers: { 'x-amz-target': 'DynamoDB_20120810.DropEverything', 'content-type': 'application/x-amz-json-1.0', authorization: FAKE_AUTH('dynamodb') },
        body: '{}',
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { __type: string }).__type, 'com.amazon.coral.service#UnknownOperationException');
    });

    it('garbage XML, and XML naming an external entity (no InternalFailure), are MalformedXML', async () => {
      for (const body of ['<Tagging><TagSet><Tag>', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Tagging>&e;</Tagging>']) {
        const res = await fetch(`${nimbus.endpoint}/some-bucket?tagging`, {
          method: 'PUT',
          headers: { authorization: FAKE_AUTH('s3'), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
          body,
        });
        assert.equal(res.status, 400);
        assert.match(await res.text(), /<Code>MalformedXML<\/Code>/);
      }
    });

    it('a query request with a JSON body is refused with a clear message', async () => {
      const res = await fetch(nimbus.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: FAKE_AUTH('sts') },
        body: '{"Action":"GetCallerIdentity"}',
      });
      assert.equal(res.status, 400);
      assert.match(await res.text(), /<Code>InvalidParameterValue<\/Code><Message>Content-Type application\/json is not supported/);
    });

    it('an unknown query Action is InvalidAction', async () => {
      const res = await fetch(nimbus.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: FAKE_AUTH('sts') },
        body: 'Action=BecomeRoot&Version=2011-06-15',
      });
      assert.equal(res.status, 400);
      assert.match(await res.text(), /<Code>InvalidAction<\/Code>/);
    });

    it('a body over the size bound is 413, and the server keeps serving', async () => {
      const res = await fetch(nimbus.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: FAKE_AUTH('sts') },
        body: 'Action=GetCallerIdentity&Version=2011-06-15&Pad=' + 'x'.repeat(10_000),
      });
      assert.equal(res.status, 413);
      assert.match(await res.text(), /RequestEntityTooLarge/);
      const id = await new STSClient(clientConfig(nimbus)).send(new GetCallerIdentityCommand({}));
      assert.equal(id.Account, '000000000000');
    });

    it('a request signed for an unknown service is UnknownService', async () => {
      const res = await fetch(nimbus.endpoint, { method: 'POST', headers: { authorization: FAKE_AUTH('nosuchservice') }, body: 'x' });
      assert.equal(res.status, 400);
      assert.match(await res.text(), /<Code>UnknownService<\/Code>/);
    });

    it('a malformed Authorization header is rejected', async () => {
      const res = await fetch(nimbus.endpoint, {
        method: 'POST',
        headers: { authorization: 'AWS4-HMAC-SHA256 Credential=garbage', 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' },
        body: '{}',
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { __type: string }).__type, 'com.amazon.coral.service#IncompleteSignatureException');
    });

    it('an unsigned request to STS is MissingAuthenticationToken', async () => {
      const res = await fetch(`${nimbus.endpoint}/?Action=GetCallerIdentity&Version=2011-06-15`);
      assert.equal(res.status, 403);
      assert.match(await res.text(), /<Code>MissingAuthenticationToken<\/Code>/);
    });

    it('an operation Nimbus has not implemented is 501 naming it', async () => {
      const r = await aws(nimbus, ['kinesis', 'list-streams']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /NotImplemented.*Nimbus does not implement Kinesis ListStreams yet/);
    });
  });

  describe('presigned URLs', () => {
    it('a presigned GET works until it expires on the Nimbus clock, then is AccessDenied', async () => {
      const local = await start({ handlers: { s3: { GetObject: (input: { Key: string }) => ({ Body: Buffer.from(`object ${input.Key}`) }) } } });
      try {
        const s3 = new S3Client(clientConfig(local, { forcePathStyle: true }));
        const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'b', Key: 'k.txt' }), { expiresIn: 60 });
        const ok = await fetch(url);
        assert.equal(ok.status, 200);
        assert.equal(await ok.text(), 'object k.txt');
        await fetch(`${local.endpoint}/_nimbus/clock`, { method: 'POST', body: '{"advance":"61s"}' });
        const expired = await fetch(url);
        assert.equal(expired.status, 403);
        assert.match(await expired.text(), /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
      } finally {
        await local.stop();
      }
    });

    it('a tampered presigned URL for a known key is SignatureDoesNotMatch', async () => {
      const t = await new STSClient(clientConfig(nimbus)).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
      const s3 = new S3Client(clientConfig(nimbus, {
        forcePathStyle: true,
        credentials: { accessKeyId: t.Credentials!.AccessKeyId!, secretAccessKey: t.Credentials!.SecretAccessKey!, sessionToken: t.Credentials!.SessionToken! },
      }));
      const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'b', Key: 'real.txt' }), { expiresIn: 300 });
      assert.equal((await fetch(url)).status, 200);
      const tampered = await fetch(url.replace('real.txt', 'other.txt'));
      assert.equal(tampered.status, 403);
      assert.match(await tampered.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
    });
  });

  describe('instances and persistence', () => {
    it('two instances in one process keep separate state', async () => {
      const a = await start();
      const b = await start();
      try {
        const r = await new STSClient(clientConfig(a)).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/only-in-a', RoleSessionName: 'sess' }));
        const creds = { accessKeyId: r.Credentials!.AccessKeyId!, secretAccessKey: r.Credentials!.SecretAccessKey!, sessionToken: r.Credentials!.SessionToken! };
        assert.match((await new STSClient(clientConfig(a, { credentials: creds })).send(new GetCallerIdentityCommand({}))).Arn!, /only-in-a/);
        assert.equal((await new STSClient(clientConfig(b, { credentials: creds })).send(new GetCallerIdentityCommand({}))).Arn, 'arn:aws:iam::000000000000:root');
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    });

    it('state and the clock survive a restart on the same data directory', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'nimbus-test-'));
      try {
        const first = await start({ ephemeral: false, dataDir: dir });
        const r = await new STSClient(clientConfig(first)).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/durable', RoleSessionName: 'sess' }));
        await fetch(`${first.endpoint}/_nimbus/clock`, { method: 'POST', body: '{"advance":"5m"}' });
        await first.stop();
        const second = await start({ ephemeral: false, dataDir: dir });
        try {
          const creds = { accessKeyId: r.Credentials!.AccessKeyId!, secretAccessKey: r.Credentials!.SecretAccessKey!, sessionToken: r.Credentials!.SessionToken! };
          const id = await new STSClient(clientConfig(second, { credentials: creds })).send(new GetCallerIdentityCommand({}));
          assert.equal(id.Arn, 'arn:aws:sts::111122223333:assumed-role/durable/sess');
          const clock = (await (await fetch(`${second.endpoint}/_nimbus/clock`)).json()) as { offsetMillis: number };
          assert.equal(clock.offsetMillis, 300_000);
        } finally {
          await second.stop();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('the nimbus command', () => {
    it('start prints the endpoint and Ready., status and reset talk to it, SIGTERM stops it cleanly', async () => {
      const cli = CLI;
      const child = spawn(process.execPath, [cli, 'start', '--ephemeral', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.on('data', (c) => {
          out += c;
          const m = /listening on http:\/\/localhost:(\d+)[^\n]*\nReady\.\n/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const run = (args: string[]) => new Promise<string>((resolve) => {
        const c = spawn(process.execPath, [cli, ...args, '--port', String(port)]);
        let text = '';
        c.stdout.on('data', (d) => (text += d));
        c.on('exit', () => resolve(text));
      });
      assert.equal(JSON.parse(await run(['status'])).status, 'running');
      assert.equal(JSON.parse(await run(['reset'])).reset, true);
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exit, 0);
    });

    it('start refuses a bad --account-id with a clear message', async () => {
      const cli = CLI;
      const child = spawn(process.execPath, [cli, 'start', '--ephemeral', '--account-id', '42']);
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 2);
      assert.match(err, /--account-id must be 12 digits/);
    });
  });
});
