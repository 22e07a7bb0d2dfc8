import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import type { Nimbus } from '../src/index.js';
import { clientConfig, rejects, start } from './helpers.js';

/** Browser-based POST uploads with a signed policy, as a web page's form sends them. */
describe('S3 browser POST uploads', () => {
  let nimbus: Nimbus;
  let s3: S3Client;
  let creds: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
  let n = 0;
  const unique = (tag: string) => `${tag}-${process.pid}-${++n}`;
  before(async () => {
    nimbus = await start();
    s3 = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
    const out = await new STSClient(clientConfig(nimbus)).send(new GetSessionTokenCommand({}));
    creds = out.Credentials as typeof creds;
  });
  after(() => nimbus.stop());

  const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

  /** What a server hands a browser: the form fields of a signed policy (SigV4, as the SDK's createPresignedPost). */
  function signedFields(bucket: string, conditions: unknown[], expiresInMs = 600_000, extra: Record<string, string> = {}): Record<string, string> {
    const now = new Date();
    const date = now.toISOString().slice(0, 10).replace(/-/g, '');
    const amzDate = `${date}T000000Z`;
    const credential = `${creds.AccessKeyId}/${date}/us-east-1/s3/aws4_request`;
    const fields: Record<string, string> = {
      bucket, 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-Credential': credential, 'X-Amz-Date': amzDate, 'X-Amz-Security-Token': creds.SessionToken, ...extra,
    };
    const policy = {
      expiration: new Date(now.getTime() + expiresInMs).toISOString(),
      conditions: [...conditions, ...Object.entries(fields).map(([k, v]) => ({ [k]: v }))],
    };
    const encoded = Buffer.from(JSON.stringify(policy)).toString('base64');
    const key = hmac(hmac(hmac(hmac(`AWS4${creds.SecretAccessKey}`, date), 'us-east-1'), 's3'), 'aws4_request');
    return { ...fields, Policy: encoded, 'X-Amz-Signature': hmac(key, encoded).toString('hex') };
  }

  function post(bucket: string, fields: Record<string, string>, file: string, filename = 'photo.txt') {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) if (k !== 'bucket') form.append(k, v);
    form.append('file', new Blob([file], { type: 'text/plain' }), filename);
    return fetch(`${nimbus.endpoint}/${bucket}`, { method: 'POST', body: form });
  }

  async function bucket() {
    const b = unique('post');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    return b;
  }

  it('stores the file under the key the form names, with ${filename}, metadata and content type', async () => {
    const b = await bucket();
    const fields = signedFields(b, [['starts-with', '$key', 'uploads/'], ['content-length-range', 1, 1024]], 600_000,
      { key: 'uploads/${filename}', 'Content-Type': 'text/plain', 'x-amz-meta-origin': 'browser' });
    const res = await post(b, fields, 'uploaded from a form', 'notes.txt');
    assert.equal(res.status, 204, await res.text());
    assert.ok(res.headers.get('etag'));
    const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'uploads/notes.txt' }));
    assert.equal(await got.Body!.transformToString(), 'uploaded from a form');
    assert.equal(got.ContentType, 'text/plain');
    assert.deepEqual(got.Metadata, { origin: 'browser' });
  });

  it('answers 201 with a PostResponse document when success_action_status asks for it', async () => {
    const b = await bucket();
    const fields = signedFields(b, [], 600_000, { key: 'doc.txt', success_action_status: '201' });
    const res = await post(b, fields, 'x');
    assert.equal(res.status, 201);
    const text = await res.text();
    assert.match(text, /<PostResponse><Location>.*\/doc\.txt<\/Location><Bucket>/);
    assert.match(text, /<Key>doc.txt<\/Key>/);
  });

  it('refuses a tampered signature, an expired policy, unmet conditions and unlisted fields', async () => {
    const b = await bucket();
    const good = signedFields(b, [['starts-with', '$key', 'ok/']], 600_000, { key: 'ok/file' });
    const tampered = await post(b, { ...good, 'X-Amz-Signature': '0'.repeat(64) }, 'x');
    assert.equal(tampered.status, 403);
    assert.match(await tampered.text(), /<Code>SignatureDoesNotMatch<\/Code>/);

    const expired = await post(b, signedFields(b, [], -1000, { key: 'late' }), 'x');
    assert.equal(expired.status, 403);
    assert.match(await expired.text(), /Policy expired/);

    const wrongKey = await post(b, signedFields(b, [['starts-with', '$key', 'ok/']], 600_000, { key: 'elsewhere/file' }), 'x');
    assert.equal(wrongKey.status, 403);
    assert.match(await wrongKey.text(), /Policy Condition failed/);

    const extra = await post(b, { ...good, 'x-amz-meta-sneaky': 'yes' }, 'x');
    assert.equal(extra.status, 403);
    assert.match(await extra.text(), /Extra input fields: x-amz-meta-sneaky/);
    assert.equal((await rejects(s3.send(new HeadObjectCommand({ Bucket: b, Key: 'ok/file' })))).$metadata.httpStatusCode, 404);
  });

  it('enforces content-length-range: EntityTooLarge, and nothing is stored', async () => {
    const b = await bucket();
    const res = await post(b, signedFields(b, [['content-length-range', 0, 4]], 600_000, { key: 'big' }), 'more than four bytes');
    assert.equal(res.status, 400);
    assert.match(await res.text(), /<Code>EntityTooLarge<\/Code>/);
    assert.equal((await rejects(s3.send(new HeadObjectCommand({ Bucket: b, Key: 'big' })))).$metadata.httpStatusCode, 404);
  });

  it('a form without a key is InvalidArgument', async () => {
    const b = await bucket();
    const form = new FormData();
    form.append('file', new Blob(['x']), 'f');
    const res = await fetch(`${nimbus.endpoint}/${b}`, { method: 'POST', body: form });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /<Code>InvalidArgument<\/Code>/);
  });
});
