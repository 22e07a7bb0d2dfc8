import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readlinkSync } from 'node:fs';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  CopyObjectCommand, CreateBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectAttributesCommand, GetObjectCommand,
  GetObjectTaggingCommand, HeadObjectCommand, PutBucketVersioningCommand, PutObjectCommand, PutObjectTaggingCommand, RestoreObjectCommand,
  S3Client, DeleteObjectTaggingCommand, PutObjectRetentionCommand, PutObjectLegalHoldCommand, GetObjectRetentionCommand, GetObjectLegalHoldCommand,
  ListObjectVersionsCommand, PutObjectLockConfigurationCommand,
} from '@aws-sdk/client-s3';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');

/** S3 objects: bodies, headers, checksums, conditions, ranges, copies and deletes. */
describe('S3 objects', () => {
  let nimbus: Nimbus;
  let s3: S3Client;
  let n = 0;
  const unique = (tag: string) => `${tag}-${process.pid}-${++n}`;
  const bucket = async (versioned = false) => {
    const name = unique('obj');
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    if (versioned) await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }));
    return name;
  };
  before(async () => {
    nimbus = await start();
    s3 = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
  });
  after(() => nimbus.stop());

  it('puts and gets a body with its metadata, content headers and MD5 ETag', async () => {
    const b = await bucket();
    const key = 'dir/ünïcødé key+with spaces&?.txt';
    const put = await s3.send(new PutObjectCommand({
      Bucket: b, Key: key, Body: 'hello world', ContentType: 'text/plain', CacheControl: 'max-age=60', ContentDisposition: 'attachment',
      ContentLanguage: 'en', Metadata: { Color: 'blue', 'x-y': 'z' },
    }));
    assert.equal(put.ETag, `"${md5('hello world')}"`);
    assert.equal(put.ServerSideEncryption, 'AES256');
    const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: key }));
    assert.equal(await got.Body!.transformToString(), 'hello world');
    assert.equal(got.ETag, put.ETag);
    assert.equal(got.ContentType, 'text/plain');
    assert.equal(got.CacheControl, 'max-age=60');
    assert.equal(got.ContentDisposition, 'attachment');
    assert.equal(got.ContentLanguage, 'en');
    assert.equal(got.ContentLength, 11);
    assert.deepEqual(got.Metadata, { color: 'blue', 'x-y': 'z' });
    assert.equal(got.VersionId, undefined);
    const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: key }));
    assert.equal(head.ContentLength, 11);
    assert.equal(head.ETag, put.ETag);
    assert.equal(head.AcceptRanges, 'bytes');
  });

  it('streams a body (aws-chunked with a trailing checksum) and an empty body', async () => {
    const b = await bucket();
    const chunks = Array.from({ length: 64 }, (_, i) => Buffer.alloc(16 * 1024, i));
    const whole = Buffer.concat(chunks);
    const put = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'stream', Body: Readable.from(chunks), ContentLength: whole.length }));
    assert.equal(put.ETag, `"${md5(whole)}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'stream' }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(whole));
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'empty', Body: '' }));
    const empty = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'empty' }));
    assert.equal(await empty.Body!.transformToString(), '');
    assert.equal(empty.ETag, `"${md5('')}"`);
  });

  it('answers NoSuchKey and NoSuchBucket', async () => {
    const b = await bucket();
    const err = await rejects(s3.send(new GetObjectCommand({ Bucket: b, Key: 'missing' })));
    assert.equal(err.name, 'NoSuchKey');
    assert.equal(err.$metadata.httpStatusCode, 404);
    const head = await rejects(s3.send(new HeadObjectCommand({ Bucket: b, Key: 'missing' })));
    assert.equal(head.name, 'NotFound');
    const nb = await rejects(s3.send(new PutObjectCommand({ Bucket: unique('nobucket'), Key: 'k', Body: 'x' })));
    assert.equal(nb.name, 'NoSuchBucket');
  });

  it('checks Content-MD5: BadDigest when it differs, InvalidDigest when malformed', async () => {
    const b = await bucket();
    const good = Buffer.from(md5('payload'), 'hex').toString('base64');
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'ok', Body: 'payload', ContentMD5: good }));
    const bad = await rejects(s3.send(new PutObjectCommand({ Bucket: b, Key: 'bad', Body: 'payload', ContentMD5: Buffer.from(md5('other'), 'hex').toString('base64') })));
    assert.equal(bad.name, 'BadDigest');
    assert.equal(bad.$metadata.httpStatusCode, 400);
    const invalid = await rejects(s3.send(new PutObjectCommand({ Bucket: b, Key: 'bad', Body: 'payload', ContentMD5: 'nope' })));
    assert.equal(invalid.name, 'InvalidDigest');
    // A failed upload leaves nothing behind.
    assert.equal((await rejects(s3.send(new HeadObjectCommand({ Bucket: b, Key: 'bad' })))).$metadata.httpStatusCode, 404);
  });

  for (const algorithm of ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'] as const) {
    it(`checks and returns the SDK's ${algorithm} checksum, as a header and as an aws-chunked trailer`, async () => {
      const b = await bucket();
      const put = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'sum', Body: 'checksummed body', ChecksumAlgorithm: algorithm }));
      const value = put[`Checksum${algorithm}`];
      assert.ok(value, 'the PUT answers the checksum');
      const streamed = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'sum2', Body: Readable.from([Buffer.from('checksummed '), Buffer.from('body')]), ContentLength: 16, ChecksumAlgorithm: algorithm }));
      assert.equal(streamed[`Checksum${algorithm}`], value);
      const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'sum', ChecksumMode: 'ENABLED' }));
      assert.equal(got[`Checksum${algorithm}`], value);
      assert.equal(got.ChecksumType, 'FULL_OBJECT');
      assert.equal(await got.Body!.transformToString(), 'checksummed body');
    });
  }

  it('rejects a body whose checksum header does not match with BadDigest', async () => {
    const b = await bucket();
    const wrong = Buffer.alloc(4, 1).toString('base64');
    const err = await rejects(s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'abc', ChecksumCRC32: wrong })));
    assert.equal(err.name, 'BadDigest');
    const malformed = await rejects(s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'abc', ChecksumSHA256: 'short' })));
    assert.equal(malformed.name, 'InvalidRequest');
  });

  it('serves byte ranges with 206, and 416 InvalidRange past the end', async () => {
    const b = await bucket();
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'r', Body: '0123456789' }));
    const mid = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'r', Range: 'bytes=2-5' }));
    assert.equal(mid.$metadata.httpStatusCode, 206);
    assert.equal(await mid.Body!.transformToString(), '2345');
    assert.equal(mid.ContentRange, 'bytes 2-5/10');
    assert.equal(mid.ContentLength, 4);
    const suffix = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'r', Range: 'bytes=-3' }));
    assert.equal(await suffix.Body!.transformToString(), '789');
    const open = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'r', Range: 'bytes=7-' }));
    assert.equal(await open.Body!.transformToString(), '789');
    const clipped = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'r', Range: 'bytes=8-100' }));
    assert.equal(clipped.ContentRange, 'bytes 8-9/10');
    const err = await rejects(s3.send(new GetObjectCommand({ Bucket: b, Key: 'r', Range: 'bytes=10-20' })));
    assert.equal(err.name, 'InvalidRange');
    assert.equal(err.$metadata.httpStatusCode, 416);
  });

  it('streams a body kept in a file whole and by ranges across its read chunks, and survives downloads dropped midway', async () => {
    const b = await bucket();
    const body = randomBytes(6 * 1024 * 1024 + 1000);
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'big', Body: body }));
    // A client that stops reading and hangs up, several times over, leaves the next readers whole bodies.
    for (let i = 0; i < 4; i++) {
      const controller = new AbortController();
      const dropped = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'big' }), { abortSignal: controller.signal });
      const reader = (dropped.Body as Readable)[Symbol.asyncIterator]();
      await reader.next();
      controller.abort();
      (dropped.Body as Readable).destroy();
    }
    const gets = await Promise.all(Array.from({ length: 3 }, () => s3.send(new GetObjectCommand({ Bucket: b, Key: 'big' }))));
    for (const got of gets) assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(body));
    for (const [start, end] of [[0, 0], [262_143, 262_144], [100_000, 600_000], [524_288, body.length - 1]] as const) {
      const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'big', Range: `bytes=${start}-${end}` }));
      assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(body.subarray(start, end + 1)), `bytes ${start}-${end}`);
    }
    // A body being read when its object is deleted is still read whole.
    const reading = (await s3.send(new GetObjectCommand({ Bucket: b, Key: 'big' }))).Body as Readable;
    const chunks: Buffer[] = [];
    for await (const chunk of reading) {
      if (chunks.length === 0) await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'big' }));
      chunks.push(chunk as Buffer);
    }
    assert.ok(Buffer.concat(chunks).equals(body));
    // Every blob file opened for these reads has been closed again.
    if (process.platform === 'linux') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const open = readdirSync('/proc/self/fd').map((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`); } catch { return ''; } });
      assert.deepEqual(open.filter((path) => path.includes('/blobs/')), []);
    }
  });

  it('honours If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since', async () => {
    const b = await bucket();
    const { ETag } = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'c', Body: 'conditional' }));
    const ok = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'c', IfMatch: ETag }));
    assert.equal(await ok.Body!.transformToString(), 'conditional');
    const failed = await rejects(s3.send(new GetObjectCommand({ Bucket: b, Key: 'c', IfMatch: '"0000"' })));
    assert.equal(failed.name, 'PreconditionFailed');
    assert.equal(failed.$metadata.httpStatusCode, 412);
    const notModified = await rejects(s3.send(new GetObjectCommand({ Bucket: b, Key: 'c', IfNoneMatch: ETag })));
    assert.equal(notModified.$metadata.httpStatusCode, 304);
    const future = new Date(Date.now() + 3600_000);
    const past = new Date(Date.now() - 3600_000);
    assert.equal((await rejects(s3.send(new GetObjectCommand({ Bucket: b, Key: 'c', IfModifiedSince: future })))).$metadata.httpStatusCode, 304);
    await s3.send(new GetObjectCommand({ Bucket: b, Key: 'c', IfModifiedSince: past }));
    assert.equal((await rejects(s3.send(new GetObjectCommand({ Bucket: b, Key: 'c', IfUnmodifiedSince: past })))).$metadata.httpStatusCode, 412);
    assert.equal((await rejects(s3.send(new HeadObjectCommand({ Bucket: b, Key: 'c', IfMatch: '"nope"' })))).$metadata.httpStatusCode, 412);
  });

  it('conditional writes: If-None-Match * only creates, If-Match only replaces the ETag given', async () => {
    const b = await bucket();
    const first = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'w', Body: 'one', IfNoneMatch: '*' }));
    const again = await rejects(s3.send(new PutObjectCommand({ Bucket: b, Key: 'w', Body: 'two', IfNoneMatch: '*' })));
    assert.equal(again.name, 'PreconditionFailed');
    assert.equal(again.$metadata.httpStatusCode, 412);
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'w', Body: 'three', IfMatch: first.ETag }));
    const stale = await rejects(s3.send(new PutObjectCommand({ Bucket: b, Key: 'w', Body: 'four', IfMatch: first.ETag })));
    assert.equal(stale.name, 'PreconditionFailed');
    const absent = await rejects(s3.send(new PutObjectCommand({ Bucket: b, Key: 'nothing', Body: 'x', IfMatch: first.ETag })));
    assert.equal(absent.name, 'NoSuchKey');
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: b, Key: 'w' }))).Body!.transformToString(), 'three');
  });

  it('copies objects across buckets, keeping or replacing metadata', async () => {
    const src = await bucket();
    const dst = await bucket();
    await s3.send(new PutObjectCommand({ Bucket: src, Key: 'a b/src.txt', Body: 'copy me', ContentType: 'text/plain', Metadata: { origin: 'src' }, Tagging: 'k=v' }));
    const kept = await s3.send(new CopyObjectCommand({ Bucket: dst, Key: 'kept', CopySource: `${src}/${encodeURIComponent('a b/src.txt')}` }));
    assert.equal(kept.CopyObjectResult?.ETag, `"${md5('copy me')}"`);
    const k = await s3.send(new GetObjectCommand({ Bucket: dst, Key: 'kept' }));
    assert.equal(await k.Body!.transformToString(), 'copy me');
    assert.equal(k.ContentType, 'text/plain');
    assert.deepEqual(k.Metadata, { origin: 'src' });
    assert.equal(k.TagCount, 1);
    await s3.send(new CopyObjectCommand({ Bucket: dst, Key: 'replaced', CopySource: `${src}/a%20b/src.txt`, MetadataDirective: 'REPLACE', Metadata: { origin: 'new' }, ContentType: 'text/csv' }));
    const r = await s3.send(new HeadObjectCommand({ Bucket: dst, Key: 'replaced' }));
    assert.deepEqual(r.Metadata, { origin: 'new' });
    assert.equal(r.ContentType, 'text/csv');

    const self = await rejects(s3.send(new CopyObjectCommand({ Bucket: src, Key: 'a b/src.txt', CopySource: `${src}/a%20b/src.txt` })));
    assert.equal(self.name, 'InvalidRequest');
    const missing = await rejects(s3.send(new CopyObjectCommand({ Bucket: dst, Key: 'x', CopySource: `${src}/missing` })));
    assert.equal(missing.name, 'NoSuchKey');
    const cond = await rejects(s3.send(new CopyObjectCommand({ Bucket: dst, Key: 'x', CopySource: `${src}/a%20b/src.txt`, CopySourceIfMatch: '"abc"' })));
    assert.equal(cond.name, 'PreconditionFailed');
  });

  it('deletes many keys at once, reporting each, or only errors in quiet mode', async () => {
    const b = await bucket();
    for (const k of ['d1', 'd2', 'd3']) await s3.send(new PutObjectCommand({ Bucket: b, Key: k, Body: k }));
    const out = await s3.send(new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: [{ Key: 'd1' }, { Key: 'd2' }, { Key: 'never-existed' }] } }));
    assert.deepEqual(out.Deleted?.map((d) => d.Key).sort(), ['d1', 'd2', 'never-existed']);
    const quiet = await s3.send(new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: [{ Key: 'd3' }], Quiet: true } }));
    assert.equal(quiet.Deleted, undefined);
    assert.equal(quiet.Errors, undefined);
    assert.equal((await rejects(s3.send(new HeadObjectCommand({ Bucket: b, Key: 'd3' })))).$metadata.httpStatusCode, 404);
  });

  it('keeps versions, hides deleted keys behind delete markers, and reads or deletes by version id', async () => {
    const b = await bucket(true);
    const v1 = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'v', Body: 'first' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'v', Body: 'second' }));
    assert.ok(v1.VersionId && v2.VersionId && v1.VersionId !== v2.VersionId);
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: b, Key: 'v' }))).Body!.transformToString(), 'second');
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: b, Key: 'v', VersionId: v1.VersionId }))).Body!.transformToString(), 'first');
    const del = await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'v' }));
    assert.equal(del.DeleteMarker, true);
    assert.ok(del.VersionId);
    const gone = await rejects(s3.send(new GetObjectCommand({ Bucket: b, Key: 'v' })));
    assert.equal(gone.name, 'NoSuchKey');
    const marker = await rejects(s3.send(new GetObjectCommand({ Bucket: b, Key: 'v', VersionId: del.VersionId })));
    assert.equal(marker.$metadata.httpStatusCode, 405);
    const noVersion = await rejects(s3.send(new GetObjectCommand({ Bucket: b, Key: 'v', VersionId: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })));
    assert.equal(noVersion.name, 'NoSuchVersion');
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: b }));
    assert.deepEqual(versions.Versions?.map((v) => [v.VersionId, v.IsLatest]), [[v2.VersionId, false], [v1.VersionId, false]]);
    assert.deepEqual(versions.DeleteMarkers?.map((d) => [d.VersionId, d.IsLatest]), [[del.VersionId, true]]);
    // Removing the delete marker brings the object back.
    await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'v', VersionId: del.VersionId }));
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: b, Key: 'v' }))).Body!.transformToString(), 'second');
    await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'v', VersionId: v2.VersionId }));
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: b, Key: 'v' }))).Body!.transformToString(), 'first');
  });

  it('writes null versions while versioning is suspended', async () => {
    const b = await bucket(true);
    const kept = await s3.send(new PutObjectCommand({ Bucket: b, Key: 's', Body: 'versioned' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Suspended' } }));
    const p1 = await s3.send(new PutObjectCommand({ Bucket: b, Key: 's', Body: 'null one' }));
    assert.equal(p1.VersionId, 'null');
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 's', Body: 'null two' }));
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: b, Prefix: 's' }));
    assert.deepEqual(versions.Versions?.map((v) => v.VersionId), ['null', kept.VersionId]);
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: b, Key: 's' }))).Body!.transformToString(), 'null two');
  });

  it('tags objects, with AWS limits', async () => {
    const b = await bucket();
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 't', Body: 'x', Tagging: 'a=1&b=two%20words' }));
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 't' }))).TagSet, [{ Key: 'a', Value: '1' }, { Key: 'b', Value: 'two words' }]);
    await s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 't', Tagging: { TagSet: [{ Key: 'c', Value: '3' }] } }));
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 't' }))).TagSet, [{ Key: 'c', Value: '3' }]);
    const tooMany = await rejects(s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 't', Tagging: { TagSet: Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) } })));
    assert.equal(tooMany.$metadata.httpStatusCode, 400);
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: b, Key: 't' }));
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 't' }))).TagSet, []);
  });

  it('archived objects need RestoreObject before GET (InvalidObjectState)', async () => {
    const b = await bucket();
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'cold', Body: 'frozen', StorageClass: 'GLACIER' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'cold' }));
    assert.equal(head.StorageClass, 'GLACIER');
    const err = await rejects(s3.send(new GetObjectCommand({ Bucket: b, Key: 'cold' })));
    assert.equal(err.name, 'InvalidObjectState');
    assert.equal(err.$metadata.httpStatusCode, 403);
    const restore = await s3.send(new RestoreObjectCommand({ Bucket: b, Key: 'cold', RestoreRequest: { Days: 1 } }));
    assert.equal(restore.$metadata.httpStatusCode, 202);
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: b, Key: 'cold' }))).Body!.transformToString(), 'frozen');
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'warm', Body: 'x', StorageClass: 'STANDARD_IA' }));
    assert.equal((await rejects(s3.send(new RestoreObjectCommand({ Bucket: b, Key: 'warm', RestoreRequest: { Days: 1 } })))).name, 'InvalidObjectState');
  });

  it('reports object attributes', async () => {
    const b = await bucket();
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'attr', Body: 'attributes', ChecksumAlgorithm: 'SHA256' }));
    const out = await s3.send(new GetObjectAttributesCommand({ Bucket: b, Key: 'attr', ObjectAttributes: ['ETag', 'ObjectSize', 'StorageClass', 'Checksum'] }));
    assert.equal(out.ETag, md5('attributes'));
    assert.equal(out.ObjectSize, 10);
    assert.equal(out.StorageClass, 'STANDARD');
    assert.ok(out.Checksum?.ChecksumSHA256);
  });

  it('object lock: retention and legal holds keep a version from deletion', async () => {
    const b = unique('lock');
    await s3.send(new CreateBucketCommand({ Bucket: b, ObjectLockEnabledForBucket: true }));
    const until = new Date(Date.now() + 86_400_000);
    const put = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'l', Body: 'locked', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: until }));
    const ret = await s3.send(new GetObjectRetentionCommand({ Bucket: b, Key: 'l' }));
    assert.equal(ret.Retention?.Mode, 'COMPLIANCE');
    const denied = await rejects(s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'l', VersionId: put.VersionId })));
    assert.equal(denied.name, 'AccessDenied');
    const shorten = await rejects(s3.send(new PutObjectRetentionCommand({ Bucket: b, Key: 'l', Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date(Date.now() + 1000) } })));
    assert.equal(shorten.name, 'AccessDenied');
    const held = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'h', Body: 'held' }));
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: b, Key: 'h', LegalHold: { Status: 'ON' } }));
    assert.equal((await s3.send(new GetObjectLegalHoldCommand({ Bucket: b, Key: 'h' }))).LegalHold?.Status, 'ON');
    assert.equal((await rejects(s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'h', VersionId: held.VersionId })))).name, 'AccessDenied');
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: b, Key: 'h', LegalHold: { Status: 'OFF' } }));
    await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'h', VersionId: held.VersionId }));
  });

  it('SSE-C: an object written with a customer key is read only with that key', async () => {
    const b = await bucket();
    const key = Buffer.alloc(32, 7).toString('base64');
    const other = Buffer.alloc(32, 9).toString('base64');
    const put = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'enc', Body: 'encrypted', SSECustomerAlgorithm: 'AES256', SSECustomerKey: key }));
    assert.equal(put.SSECustomerAlgorithm, 'AES256');
    const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'enc', SSECustomerAlgorithm: 'AES256', SSECustomerKey: key }));
    assert.equal(await got.Body!.transformToString(), 'encrypted');
    assert.equal(got.SSECustomerKeyMD5, createHash('md5').update(Buffer.alloc(32, 7)).digest('base64'));
    const without = await rejects(s3.send(new GetObjectCommand({ Bucket: b, Key: 'enc' })));
    assert.equal(without.name, 'InvalidRequest');
    assert.equal(without.$metadata.httpStatusCode, 400);
    const wrong = await rejects(s3.send(new HeadObjectCommand({ Bucket: b, Key: 'enc', SSECustomerAlgorithm: 'AES256', SSECustomerKey: other })));
    assert.equal(wrong.$metadata.httpStatusCode, 403);
    const badKey = await rejects(s3.send(new PutObjectCommand({ Bucket: b, Key: 'bad', Body: 'x', SSECustomerAlgorithm: 'AES256', SSECustomerKey: Buffer.alloc(8).toString('base64') })));
    assert.equal(badKey.name, 'InvalidArgument');
    await s3.send(new CopyObjectCommand({
      Bucket: b, Key: 'copy', CopySource: `${b}/enc`, CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: key,
    }));
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: b, Key: 'copy' }))).Body!.transformToString(), 'encrypted');
  });

  it('object lock: the bucket default retention applies to new versions, and versioning cannot be suspended', async () => {
    const b = unique('lockdefault');
    await s3.send(new CreateBucketCommand({ Bucket: b, ObjectLockEnabledForBucket: true }));
    await s3.send(new PutObjectLockConfigurationCommand({ Bucket: b, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } } }));
    const put = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'd', Body: 'kept' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'd' }));
    assert.equal(head.ObjectLockMode, 'GOVERNANCE');
    assert.ok(head.ObjectLockRetainUntilDate!.getTime() > Date.now());
    assert.equal((await rejects(s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'd', VersionId: put.VersionId })))).name, 'AccessDenied');
    await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'd', VersionId: put.VersionId, BypassGovernanceRetention: true }));
    const suspend = await rejects(s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Suspended' } })));
    assert.equal(suspend.name, 'InvalidBucketState');
    const plain = await bucket();
    const noLock = await rejects(s3.send(new PutObjectCommand({ Bucket: plain, Key: 'x', Body: 'x', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date(Date.now() + 1000) })));
    assert.equal(noLock.name, 'InvalidRequest');
  });

  it('works from the AWS CLI: cp up and down, s3api put-object and get-object', async (t) => {
    const { mkdtempSync, writeFileSync, readFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const b = await bucket();
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-s3-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'up.txt'), 'from the cli');
    const cp = await aws(nimbus, ['s3', 'cp', join(dir, 'up.txt'), `s3://${b}/cli/up.txt`]);
    assert.equal(cp.code, 0, cp.stderr);
    const down = await aws(nimbus, ['s3', 'cp', `s3://${b}/cli/up.txt`, join(dir, 'down.txt')]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(readFileSync(join(dir, 'down.txt'), 'utf8'), 'from the cli');
    const put = await aws(nimbus, ['s3api', 'put-object', '--bucket', b, '--key', 'api key', '--body', join(dir, 'up.txt'), '--metadata', 'a=b']);
    assert.equal(put.code, 0, put.stderr);
    assert.equal(put.json.ETag, `"${md5('from the cli')}"`);
    const get = await aws(nimbus, ['s3api', 'get-object', '--bucket', b, '--key', 'api key', '--range', 'bytes=0-3', join(dir, 'part.txt')]);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(get.json.ContentRange, 'bytes 0-3/12');
    assert.deepEqual(get.json.Metadata, { a: 'b' });
    assert.equal(readFileSync(join(dir, 'part.txt'), 'utf8'), 'from');
    const missing = await aws(nimbus, ['s3api', 'get-object', '--bucket', b, '--key', 'nope', join(dir, 'x')]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NoSuchKey/);
  });
});
