import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, ListObjectVersionsCommand,
  PutBucketVersioningCommand, PutObjectCommand, S3Client, UploadPartCommand, DeleteObjectCommand,
} from '@aws-sdk/client-s3';
import { clientConfig, rejects, start } from './helpers.js';

/** Buckets, versions, uploads in progress and bodies survive a restart on the same data directory. */
describe('S3 persistence', () => {
  it('a restarted Nimbus serves the same buckets, objects, versions and uploads in progress', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-s3-persist-'));
    let nimbus = await start({ ephemeral: false, dataDir });
    let s3 = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
    await s3.send(new CreateBucketCommand({ Bucket: 'persisted' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'persisted', VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = await s3.send(new PutObjectCommand({ Bucket: 'persisted', Key: 'doc', Body: 'first', Metadata: { a: 'b' } }));
    await s3.send(new PutObjectCommand({ Bucket: 'persisted', Key: 'doc', Body: 'second' }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'persisted', Key: 'big' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: 'persisted', Key: 'big', UploadId, PartNumber: 1, Body: 'part one' }));
    await nimbus.stop();

    nimbus = await start({ ephemeral: false, dataDir });
    s3 = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
    try {
      assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: 'persisted', Key: 'doc' }))).Body!.transformToString(), 'second');
      const old = await s3.send(new GetObjectCommand({ Bucket: 'persisted', Key: 'doc', VersionId: v1.VersionId }));
      assert.equal(await old.Body!.transformToString(), 'first');
      assert.deepEqual(old.Metadata, { a: 'b' });
      const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'persisted', Key: 'big', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
      assert.match(done.ETag!, /-1"$/);
      assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: 'persisted', Key: 'big' }))).Body!.transformToString(), 'part one');
      const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: 'persisted' }));
      for (const v of versions.Versions ?? []) await s3.send(new DeleteObjectCommand({ Bucket: 'persisted', Key: v.Key, VersionId: v.VersionId }));
      assert.equal((await rejects(s3.send(new GetObjectCommand({ Bucket: 'persisted', Key: 'doc' })))).name, 'NoSuchKey');
    } finally {
      await nimbus.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
