import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand, CreateMultipartUploadCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectVersionsCommand, ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import type { Nimbus } from '../src/index.js';
import { clientConfig, rejects, start } from './helpers.js';

/** Lifecycle rules run on Nimbus's clock: advancing it expires and transitions objects. */
describe('S3 lifecycle', () => {
  let nimbus: Nimbus;
  let s3: S3Client;
  let n = 0;
  const unique = (tag: string) => `${tag}-${process.pid}-${++n}`;
  const advance = (by: string) => fetch(`${nimbus.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) });
  before(async () => {
    nimbus = await start();
    s3 = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
  });
  after(() => nimbus.stop());

  it('expires and transitions objects by prefix, tag and size once their days have passed', async () => {
    const b = unique('lc');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await s3.send(new PutBucketLifecycleConfigurationCommand({
      Bucket: b,
      LifecycleConfiguration: {
        Rules: [
          { ID: 'logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 } },
          { ID: 'archive', Status: 'Enabled', Filter: { Prefix: 'data/' }, Transitions: [{ Days: 10, StorageClass: 'GLACIER' }] },
          { ID: 'tagged', Status: 'Enabled', Filter: { Tag: { Key: 'temp', Value: 'yes' } }, Expiration: { Days: 1 } },
          { ID: 'big', Status: 'Enabled', Filter: { And: { Prefix: 'blobs/', ObjectSizeGreaterThan: 10 } }, Expiration: { Days: 1 } },
          { ID: 'off', Status: 'Disabled', Filter: { Prefix: 'keep/' }, Expiration: { Days: 1 } },
        ],
      },
    }));
    const put = (Key: string, Body: string, Tagging?: string) => s3.send(new PutObjectCommand({ Bucket: b, Key, Body, Tagging }));
    const logged = await put('logs/old.log', 'log');
    assert.match(logged.Expiration ?? '', /^expiry-date="\w{3}, \d{2} \w{3} \d{4} 00:00:00 GMT", rule-id="logs"$/);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'logs/old.log' }))).Expiration, logged.Expiration);
    await put('data/set.csv', 'a,b');
    await put('keep/me', 'kept');
    await put('notes/tmp.txt', 'temp', 'temp=yes');
    await put('blobs/small', 'tiny');
    await put('blobs/large', 'more than ten bytes');

    await advance('2d');
    const keys = async () => ((await s3.send(new ListObjectsV2Command({ Bucket: b }))).Contents ?? []).map((c) => c.Key);
    assert.deepEqual(await keys(), ['blobs/small', 'data/set.csv', 'keep/me', 'logs/old.log']);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'data/set.csv' }))).StorageClass, undefined);

    await advance('31d');
    assert.deepEqual(await keys(), ['blobs/small', 'data/set.csv', 'keep/me']);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'data/set.csv' }))).StorageClass, 'GLACIER');
  });

  it('in a versioned bucket, expiry adds a delete marker and old noncurrent versions go', async () => {
    const b = unique('lcv');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutBucketLifecycleConfigurationCommand({
      Bucket: b,
      LifecycleConfiguration: { Rules: [{ ID: 'all', Status: 'Enabled', Filter: {}, Expiration: { Days: 30 }, NoncurrentVersionExpiration: { NoncurrentDays: 5 } }] },
    }));
    const v1 = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'one' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'two' }));
    await advance('6d');
    let versions = await s3.send(new ListObjectVersionsCommand({ Bucket: b }));
    assert.deepEqual(versions.Versions?.map((v) => v.VersionId), [v2.VersionId]);
    await advance('31d');
    versions = await s3.send(new ListObjectVersionsCommand({ Bucket: b }));
    assert.equal(versions.DeleteMarkers?.length, 1);
    assert.equal(versions.DeleteMarkers?.[0]?.IsLatest, true);
    assert.deepEqual(versions.Versions?.map((v) => v.VersionId), [v2.VersionId]);
    assert.ok(v1.VersionId);
    assert.equal((await rejects(s3.send(new HeadObjectCommand({ Bucket: b, Key: 'k' })))).$metadata.httpStatusCode, 404);
  });

  it('aborts incomplete multipart uploads after DaysAfterInitiation', async () => {
    const b = unique('lcm');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await s3.send(new PutBucketLifecycleConfigurationCommand({
      Bucket: b,
      LifecycleConfiguration: { Rules: [{ ID: 'mpu', Status: 'Enabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }] },
    }));
    await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'stale' }));
    await advance('3d');
    assert.equal((await s3.send(new ListMultipartUploadsCommand({ Bucket: b }))).Uploads?.length, 1);
    await advance('8d');
    assert.equal((await s3.send(new ListMultipartUploadsCommand({ Bucket: b }))).Uploads, undefined);
  });
});
