import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectAttributesCommand,
  GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand, PutObjectCommand, S3Client, UploadPartCommand, UploadPartCopyCommand,
  DeleteBucketCommand, CopyObjectCommand, DeleteObjectCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

const MiB = 1024 * 1024;
const md5 = (b: Buffer) => createHash('md5').update(b).digest();

function body(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4096) b.writeUInt32BE((i * 2654435761 + seed) >>> 0, i);
  return b;
}

/** Multipart uploads through lib-storage, the low-level calls and the AWS CLI. */
describe('S3 multipart uploads', () => {
  let nimbus: Nimbus;
  let s3: S3Client;
  let n = 0;
  const unique = (tag: string) => `${tag}-${process.pid}-${++n}`;
  const bucket = async () => {
    const name = unique('mpu');
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    return name;
  };
  before(async () => {
    nimbus = await start();
    s3 = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
  });
  after(() => nimbus.stop());

  it('lib-storage uploads in parts; the ETag is the MD5 of part MD5s with the part count', async () => {
    const b = await bucket();
    const data = body(11 * MiB, 1);
    const up = new Upload({ client: s3, params: { Bucket: b, Key: 'big.bin', Body: data, ContentType: 'application/x-test', Metadata: { m: '1' } }, partSize: 5 * MiB, queueSize: 2 });
    const done = await up.done();
    const parts = [data.subarray(0, 5 * MiB), data.subarray(5 * MiB, 10 * MiB), data.subarray(10 * MiB)];
    const expected = `"${createHash('md5').update(Buffer.concat(parts.map(md5))).digest('hex')}-3"`;
    assert.equal(done.ETag, expected);
    const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'big.bin' }));
    assert.equal(got.ETag, expected);
    assert.equal(got.ContentType, 'application/x-test');
    assert.deepEqual(got.Metadata, { m: '1' });
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(data));
    const part2 = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'big.bin', PartNumber: 2 }));
    assert.equal(part2.$metadata.httpStatusCode, 206);
    assert.equal(part2.PartsCount, 3);
    assert.equal(part2.ContentRange, `bytes ${5 * MiB}-${10 * MiB - 1}/${11 * MiB}`);
    assert.ok(Buffer.from(await part2.Body!.transformToByteArray()).equals(parts[1]!));
    const attrs = await s3.send(new GetObjectAttributesCommand({ Bucket: b, Key: 'big.bin', ObjectAttributes: ['ObjectParts', 'ObjectSize'] }));
    assert.equal(attrs.ObjectParts?.TotalPartsCount, 3);
    assert.equal(attrs.ObjectSize, 11 * MiB);
  });

  it('a completed upload is its parts without a copy: any byte range across part boundaries, a whole copy, a delete', async () => {
    const b = await bucket();
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'joined' }));
    // Two parts large enough for files, a skipped one, and a last one small enough to live in the database.
    const p1 = body(5 * MiB, 11);
    const skipped = body(5 * MiB, 12);
    const p3 = body(5 * MiB, 13);
    const p4 = Buffer.from('the end');
    const etags: Record<number, string> = {};
    for (const [PartNumber, Body] of [[1, p1], [2, skipped], [3, p3], [4, p4]] as const) {
      etags[PartNumber] = (await s3.send(new UploadPartCommand({ Bucket: b, Key: 'joined', UploadId, PartNumber, Body }))).ETag!;
    }
    await s3.send(new CompleteMultipartUploadCommand({
      Bucket: b, Key: 'joined', UploadId, MultipartUpload: { Parts: [1, 3, 4].map((PartNumber) => ({ PartNumber, ETag: etags[PartNumber] })) },
    }));
    const whole = Buffer.concat([p1, p3, p4]);
    const read = async (Range?: string) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: b, Key: 'joined', Range }))).Body!.transformToByteArray());
    assert.ok((await read()).equals(whole));
    assert.ok((await read(`bytes=${5 * MiB - 3}-${10 * MiB + 2}`)).equals(whole.subarray(5 * MiB - 3, 10 * MiB + 3)));
    assert.ok((await read(`bytes=${10 * MiB}-`)).equals(p4));
    assert.ok((await read('bytes=-9')).equals(whole.subarray(whole.length - 9)));
    assert.ok((await read(`bytes=${5 * MiB}-${5 * MiB}`)).equals(p3.subarray(0, 1)));
    // The upload is over: aborting it now finds nothing, and the object keeps its bytes.
    assert.equal((await rejects(s3.send(new AbortMultipartUploadCommand({ Bucket: b, Key: 'joined', UploadId })))).name, 'NoSuchUpload');
    await s3.send(new CopyObjectCommand({ Bucket: b, Key: 'copied', CopySource: `${b}/joined` }));
    const copied = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'copied' }));
    assert.ok(Buffer.from(await copied.Body!.transformToByteArray()).equals(whole));
    await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'joined' }));
    assert.equal((await rejects(s3.send(new GetObjectCommand({ Bucket: b, Key: 'joined' })))).name, 'NoSuchKey');
    assert.ok((await s3.send(new GetObjectCommand({ Bucket: b, Key: 'copied', Range: 'bytes=0-3' }))).ContentLength === 4);
  });

  it('checks the parts named on completion: InvalidPartOrder, InvalidPart, EntityTooSmall', async () => {
    const b = await bucket();
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'k' }));
    const p1 = await s3.send(new UploadPartCommand({ Bucket: b, Key: 'k', UploadId, PartNumber: 1, Body: Buffer.alloc(1024, 1) }));
    const p2 = await s3.send(new UploadPartCommand({ Bucket: b, Key: 'k', UploadId, PartNumber: 2, Body: Buffer.alloc(1024, 2) }));
    const complete = (Parts: { PartNumber: number; ETag?: string }[]) => s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'k', UploadId, MultipartUpload: { Parts } }));
    const order = await rejects(complete([{ PartNumber: 2, ETag: p2.ETag }, { PartNumber: 1, ETag: p1.ETag }]));
    assert.equal(order.name, 'InvalidPartOrder');
    const wrong = await rejects(complete([{ PartNumber: 1, ETag: '"00000000000000000000000000000000"' }]));
    assert.equal(wrong.name, 'InvalidPart');
    const missing = await rejects(complete([{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 3, ETag: p2.ETag }]));
    assert.equal(missing.name, 'InvalidPart');
    const small = await rejects(complete([{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }]));
    assert.equal(small.name, 'EntityTooSmall');
    assert.equal(small.$metadata.httpStatusCode, 400);
    // A single small part is the last part, and allowed.
    const one = await complete([{ PartNumber: 1, ETag: p1.ETag }]);
    assert.match(one.ETag!, /-1"$/);
    const gone = await rejects(complete([{ PartNumber: 1, ETag: p1.ETag }]));
    assert.equal(gone.name, 'NoSuchUpload');
    assert.equal(gone.$metadata.httpStatusCode, 404);
  });

  it('rejects part numbers outside 1..10000', async () => {
    const b = await bucket();
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'k' }));
    const err = await rejects(s3.send(new UploadPartCommand({ Bucket: b, Key: 'k', UploadId, PartNumber: 10001, Body: 'x' })));
    assert.equal(err.name, 'InvalidArgument');
  });

  it('lists parts a page at a time, lists uploads by prefix and delimiter, and aborts', async () => {
    const b = await bucket();
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'dir/one' }));
    await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'dir/sub/two' }));
    await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'other' }));
    for (const p of [1, 2, 3]) await s3.send(new UploadPartCommand({ Bucket: b, Key: 'dir/one', UploadId, PartNumber: p, Body: `part ${p}` }));
    const first = await s3.send(new ListPartsCommand({ Bucket: b, Key: 'dir/one', UploadId, MaxParts: 2 }));
    assert.deepEqual(first.Parts?.map((p) => p.PartNumber), [1, 2]);
    assert.equal(first.IsTruncated, true);
    assert.equal(first.Parts?.[0]?.Size, 6);
    const rest = await s3.send(new ListPartsCommand({ Bucket: b, Key: 'dir/one', UploadId, PartNumberMarker: first.NextPartNumberMarker }));
    assert.deepEqual(rest.Parts?.map((p) => p.PartNumber), [3]);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: b, Prefix: 'dir/', Delimiter: '/' }));
    assert.deepEqual(uploads.Uploads?.map((u) => u.Key), ['dir/one']);
    assert.deepEqual(uploads.CommonPrefixes?.map((p) => p.Prefix), ['dir/sub/']);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: b, Key: 'dir/one', UploadId }));
    const after = await s3.send(new ListMultipartUploadsCommand({ Bucket: b }));
    assert.deepEqual(after.Uploads?.map((u) => u.Key), ['dir/sub/two', 'other']);
    const err = await rejects(s3.send(new ListPartsCommand({ Bucket: b, Key: 'dir/one', UploadId })));
    assert.equal(err.name, 'NoSuchUpload');
    const abortAgain = await rejects(s3.send(new AbortMultipartUploadCommand({ Bucket: b, Key: 'dir/one', UploadId })));
    assert.equal(abortAgain.name, 'NoSuchUpload');
    // Incomplete uploads do not keep a bucket from being deleted.
    await s3.send(new DeleteBucketCommand({ Bucket: b }));
  });

  it('copies ranges of an object into parts with UploadPartCopy', async () => {
    const b = await bucket();
    const src = body(6 * MiB, 7);
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'source', Body: src }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'copy' }));
    const c1 = await s3.send(new UploadPartCopyCommand({ Bucket: b, Key: 'copy', UploadId, PartNumber: 1, CopySource: `${b}/source`, CopySourceRange: `bytes=0-${5 * MiB - 1}` }));
    const c2 = await s3.send(new UploadPartCopyCommand({ Bucket: b, Key: 'copy', UploadId, PartNumber: 2, CopySource: `${b}/source`, CopySourceRange: `bytes=${5 * MiB}-${6 * MiB - 1}` }));
    assert.ok(c1.CopyPartResult?.ETag);
    const bad = await rejects(s3.send(new UploadPartCopyCommand({ Bucket: b, Key: 'copy', UploadId, PartNumber: 3, CopySource: `${b}/source`, CopySourceRange: `bytes=0-${7 * MiB}` })));
    assert.equal(bad.$metadata.httpStatusCode, 416);
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'copy', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: c1.CopyPartResult!.ETag }, { PartNumber: 2, ETag: c2.CopyPartResult!.ETag }] } }));
    const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'copy' }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(src));
  });

  it('keeps a composite checksum of the parts\' checksums', async () => {
    const b = await bucket();
    const { UploadId, ChecksumAlgorithm } = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'sum', ChecksumAlgorithm: 'SHA256' }));
    assert.equal(ChecksumAlgorithm, 'SHA256');
    const a = body(5 * MiB, 3);
    const p1 = await s3.send(new UploadPartCommand({ Bucket: b, Key: 'sum', UploadId, PartNumber: 1, Body: a, ChecksumAlgorithm: 'SHA256' }));
    const p2 = await s3.send(new UploadPartCommand({ Bucket: b, Key: 'sum', UploadId, PartNumber: 2, Body: 'tail', ChecksumAlgorithm: 'SHA256' }));
    const sha = (x: Buffer | string) => createHash('sha256').update(x).digest();
    assert.equal(p1.ChecksumSHA256, sha(a).toString('base64'));
    const done = await s3.send(new CompleteMultipartUploadCommand({
      Bucket: b, Key: 'sum', UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag, ChecksumSHA256: p1.ChecksumSHA256 }, { PartNumber: 2, ETag: p2.ETag, ChecksumSHA256: p2.ChecksumSHA256 }] },
    }));
    const composite = `${sha(Buffer.concat([sha(a), sha('tail')])).toString('base64')}-2`;
    assert.equal(done.ChecksumSHA256, composite);
    const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'sum', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumSHA256, composite);
    assert.equal(head.ChecksumType, 'COMPOSITE');
  });

  it('keeps a full-object CRC32 across parts, and checks the one the client claims', async () => {
    const b = await bucket();
    const { UploadId, ChecksumType } = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'crc', ChecksumAlgorithm: 'CRC32', ChecksumType: 'FULL_OBJECT' }));
    assert.equal(ChecksumType, 'FULL_OBJECT');
    const a = body(5 * MiB, 11);
    const p1 = await s3.send(new UploadPartCommand({ Bucket: b, Key: 'crc', UploadId, PartNumber: 1, Body: a, ChecksumAlgorithm: 'CRC32' }));
    const p2 = await s3.send(new UploadPartCommand({ Bucket: b, Key: 'crc', UploadId, PartNumber: 2, Body: 'end', ChecksumAlgorithm: 'CRC32' }));
    const whole = Buffer.alloc(4);
    whole.writeUInt32BE(crc32(Buffer.concat([a, Buffer.from('end')])) >>> 0);
    const Parts = [{ PartNumber: 1, ETag: p1.ETag, ChecksumCRC32: p1.ChecksumCRC32 }, { PartNumber: 2, ETag: p2.ETag, ChecksumCRC32: p2.ChecksumCRC32 }];
    const wrong = await rejects(s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'crc', UploadId, ChecksumCRC32: 'AAAAAA==', ChecksumType: 'FULL_OBJECT', MultipartUpload: { Parts } })));
    assert.equal(wrong.name, 'BadDigest');
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'crc', UploadId, ChecksumCRC32: whole.toString('base64'), ChecksumType: 'FULL_OBJECT', MultipartUpload: { Parts } }));
    assert.equal(done.ChecksumCRC32, whole.toString('base64'));
    assert.equal(done.ChecksumType, 'FULL_OBJECT');
    const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'crc', ChecksumMode: 'ENABLED' }));
    assert.equal(got.ChecksumCRC32, whole.toString('base64'));
    assert.equal((await got.Body!.transformToByteArray()).length, 5 * MiB + 3);
  });

  it('the AWS CLI uploads and downloads a file above its multipart threshold', async (t) => {
    const { mkdtempSync, writeFileSync, readFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const b = await bucket();
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-mpu-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const data = body(9 * MiB, 5);
    writeFileSync(join(dir, 'big'), data);
    const up = await aws(nimbus, ['s3', 'cp', join(dir, 'big'), `s3://${b}/big`]);
    assert.equal(up.code, 0, up.stderr);
    const head = await aws(nimbus, ['s3api', 'head-object', '--bucket', b, '--key', 'big']);
    assert.match(head.json.ETag, /-2"$/);
    const down = await aws(nimbus, ['s3', 'cp', `s3://${b}/big`, join(dir, 'back')]);
    assert.equal(down.code, 0, down.stderr);
    assert.ok(readFileSync(join(dir, 'back')).equals(data));
  });
});
