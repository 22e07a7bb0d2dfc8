import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, start } from './helpers.js';

/** Presigned URLs, virtual-hosted addressing and the CLI's high-level commands. */
describe('S3 presigned URLs and the aws s3 commands', () => {
  let nimbus: Nimbus;
  let s3: S3Client;
  let n = 0;
  const unique = (tag: string) => `${tag}-${process.pid}-${++n}`;
  const bucket = async () => {
    const name = unique('pre');
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    return name;
  };
  before(async () => {
    nimbus = await start();
    s3 = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
  });
  after(() => nimbus.stop());

  /** Runs curl; the body, then the status code on the last line. */
  const curl = (args: string[]) => new Promise<{ status: string; body: string }>((resolve, reject) => {
    execFile('curl', ['-sS', '-w', '\n%{http_code}', ...args], (error, stdout, stderr) => {
      if (error) return reject(new Error(stderr));
      const cut = stdout.lastIndexOf('\n');
      resolve({ body: stdout.slice(0, cut), status: stdout.slice(cut + 1) });
    });
  });

  /** A client whose secret Nimbus knows (STS session credentials), so signatures are verified. */
  async function verifiedClient(): Promise<S3Client> {
    const { Credentials } = await new STSClient(clientConfig(nimbus)).send(new GetSessionTokenCommand({}));
    return new S3Client(clientConfig(nimbus, {
      forcePathStyle: true,
      credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! },
    }));
  }

  it('a presigned GET and a presigned PUT work from a plain HTTP client', async () => {
    const b = await bucket();
    const client = await verifiedClient();
    const putUrl = await getSignedUrl(client, new PutObjectCommand({ Bucket: b, Key: 'up load.txt' }), { expiresIn: 300 });
    const put = await fetch(putUrl, { method: 'PUT', body: 'sent by fetch' });
    assert.equal(put.status, 200, await put.text());
    const getUrl = await getSignedUrl(client, new GetObjectCommand({ Bucket: b, Key: 'up load.txt' }), { expiresIn: 300 });
    const got = await fetch(getUrl);
    assert.equal(got.status, 200);
    assert.equal(await got.text(), 'sent by fetch');
    assert.equal(got.headers.get('etag'), (await s3.send(new GetObjectCommand({ Bucket: b, Key: 'up load.txt' }))).ETag);
  });

  it('a tampered presigned URL fails with SignatureDoesNotMatch', async () => {
    const b = await bucket();
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'secret.txt', Body: 'secret' }));
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'other.txt', Body: 'other' }));
    const url = await getSignedUrl(await verifiedClient(), new GetObjectCommand({ Bucket: b, Key: 'secret.txt' }), { expiresIn: 300 });
    const res = await fetch(url.replace('secret.txt', 'other.txt'));
    assert.equal(res.status, 403);
    assert.match(await res.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
    const longer = await fetch(url.replace(/X-Amz-Expires=\d+/, 'X-Amz-Expires=600'));
    assert.equal(longer.status, 403);
  });

  it('an expired presigned URL fails with AccessDenied', async () => {
    const b = await bucket();
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'v' }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: b, Key: 'k' }), { expiresIn: 60 });
    assert.equal((await fetch(url)).status, 200);
    await fetch(`${nimbus.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '2m' }) });
    const res = await fetch(url);
    assert.equal(res.status, 403);
    const text = await res.text();
    assert.match(text, /<Code>AccessDenied<\/Code>/);
    assert.match(text, /Request has expired/);
  });

  it('aws s3 presign makes a URL that curl can read, and that stops working once tampered with', async () => {
    const b = await bucket();
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'dir/pre signed ü.txt', Body: 'via the cli' }));
    // Signed with session credentials, whose secret Nimbus knows, so that the signature is checked.
    const session = (await aws(nimbus, ['sts', 'get-session-token'])).json.Credentials;
    const r = await aws(nimbus, ['s3', 'presign', `s3://${b}/dir/pre signed ü.txt`, '--expires-in', '3600'], {
      AWS_ACCESS_KEY_ID: session.AccessKeyId, AWS_SECRET_ACCESS_KEY: session.SecretAccessKey, AWS_SESSION_TOKEN: session.SessionToken,
    });
    assert.equal(r.code, 0, r.stderr);
    const url = r.stdout.trim();
    const ok = await curl([url]);
    assert.equal(ok.status, '200', `${url} answered ${ok.body}`);
    assert.equal(ok.body, 'via the cli');
    const tampered = await curl([url.replace('X-Amz-Expires=3600', 'X-Amz-Expires=7200')]);
    assert.equal(tampered.status, '403');
    assert.match(tampered.body, /<Code>SignatureDoesNotMatch<\/Code>/);
  });

  it('addresses buckets by virtual host; anonymous requests need a public bucket policy', async () => {
    const b = await bucket();
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'a/b c.txt', Body: 'virtual' }));
    const get = (host: string, path: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: nimbus.port, path, headers: { host: `${host}:${nimbus.port}` } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.end();
    });
    const denied = await get(`${b}.s3.localhost`, '/a/b%20c.txt');
    assert.equal(denied.status, 403);
    assert.match(denied.body, /<Code>AccessDenied<\/Code>/);
    await s3.send(new PutBucketPolicyCommand({
      Bucket: b,
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`] }] }),
    }));
    assert.deepEqual(await get(`${b}.s3.localhost`, '/a/b%20c.txt'), { status: 200, body: 'virtual' });
    assert.equal((await get(`${b}.s3.localhost`, '/?tagging')).status, 403);
    assert.deepEqual(await get(`${b}.s3.us-east-1.localhost`, '/a/b%20c.txt'), { status: 200, body: 'virtual' });
    const list = await get(`${b}.s3.localhost`, '/?list-type=2');
    assert.match(list.body, /<Key>a\/b c.txt<\/Key>/);
  });

  it('aws s3 sync copies a folder tree up and back down, then removes with rm --recursive', async (t) => {
    const b = await bucket();
    const src = mkdtempSync(join(tmpdir(), 'nimbus-sync-'));
    t.after(() => rmSync(src, { recursive: true, force: true }));
    const files: Record<string, string> = { 'top.txt': 'top', 'a/one.txt': 'one', 'a/b/two.txt': 'two', 'space dir/ü.txt': 'unicode' };
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(join(src, rel, '..'), { recursive: true });
      writeFileSync(join(src, rel), text);
    }
    const up = await aws(nimbus, ['s3', 'sync', src, `s3://${b}/tree`]);
    assert.equal(up.code, 0, up.stderr);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: b }));
    assert.deepEqual(listed.Contents?.map((c) => c.Key).sort(), Object.keys(files).map((k) => `tree/${k}`).sort());
    // A second sync finds nothing to do.
    const again = await aws(nimbus, ['s3', 'sync', src, `s3://${b}/tree`]);
    assert.equal(again.stdout.trim(), '');
    const dst = mkdtempSync(join(tmpdir(), 'nimbus-sync-back-'));
    t.after(() => rmSync(dst, { recursive: true, force: true }));
    const down = await aws(nimbus, ['s3', 'sync', `s3://${b}/tree`, dst]);
    assert.equal(down.code, 0, down.stderr);
    for (const [rel, text] of Object.entries(files)) assert.equal(readFileSync(join(dst, rel), 'utf8'), text);
    const rm = await aws(nimbus, ['s3', 'rm', '--recursive', `s3://${b}/tree`]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: b }))).KeyCount, 0);
    assert.ok(existsSync(join(dst, 'a/b/two.txt')));
  });
});
