import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
  UploadPartCommand, type _Object,
} from '@aws-sdk/client-s3';
import { clientConfig, startProcess } from './helpers.js';

const KiB = 1024;
const md5 = (b: Buffer | Uint8Array) => createHash('md5').update(b).digest('hex');

/**
 * An acknowledged PUT survives kill -9, and an interrupted one leaves nothing visible: Nimbus
 * runs in its own process on a data directory, is killed while PUTs stream in, and is started
 * again on the same directory.
 */
describe('S3 crash safety', () => {
  it('after kill -9 during a stream of PUTs and multipart uploads, every acknowledged object is intact and no partial object is listed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-s3-crash-'));
    let nimbus = await startProcess(['--data-dir', dataDir]);
    try {
      let s3 = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
      const bucket = 'crash';
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));

      // Both sides of the 64 KiB line between bodies kept in the database and bodies kept in files.
      const sizes = [1 * KiB, 60 * KiB, 64 * KiB, 64 * KiB + 1, 300 * KiB, 1536 * KiB];
      const sent = new Map<string, string>(); // key -> MD5 of every body a PUT was started with
      const acknowledged = new Map<string, string>(); // key -> ETag the PUT answered
      let killed = false;
      let n = 0;
      const writer = async (w: number) => {
        while (!killed) {
          const key = `w${w}/obj-${String(n++).padStart(5, '0')}`;
          const body = randomBytes(sizes[n % sizes.length]!);
          sent.set(key, md5(body));
          try {
            const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
            acknowledged.set(key, put.ETag!);
          } catch (e) {
            if (!killed) throw e;
          }
        }
      };
      // One body arrives slowly and is never finished: the kill lands in the middle of it.
      let slowBytes = 0;
      const slowBody = new Readable({
        read() {
          setTimeout(() => {
            slowBytes += 64 * KiB;
            this.push(randomBytes(64 * KiB));
          }, 10);
        },
      });
      const slow = s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'slow/never-finished', Body: slowBody, ContentLength: 64 * 1024 * KiB }))
        .then(() => assert.fail('the slow PUT cannot complete'), () => undefined);
      // Multipart uploads too: a completed one is its parts, composed in the transaction that ends the upload.
      const multipart = async () => {
        while (!killed) {
          const key = `mpu/obj-${String(n++).padStart(5, '0')}`;
          const parts = [randomBytes(5 * 1024 * KiB), randomBytes(100 * KiB)];
          sent.set(key, md5(Buffer.concat(parts)));
          try {
            const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
            const Parts = [];
            for (const [i, Body] of parts.entries()) Parts.push({ PartNumber: i + 1, ETag: (await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body }))).ETag });
            const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts } }));
            acknowledged.set(key, done.ETag!);
          } catch (e) {
            if (!killed) throw e;
          }
        }
      };
      const writers = [...[0, 1, 2, 3].map(writer), multipart()];

      const completedUploads = () => [...acknowledged.keys()].filter((k) => k.startsWith('mpu/')).length;
      while (acknowledged.size < 60 || completedUploads() < 2 || slowBytes < 1024 * KiB) await new Promise((r) => setTimeout(r, 5));
      killed = true;
      process.kill(nimbus.pid, 'SIGKILL');
      await Promise.all([...writers, slow]);
      await new Promise((r) => (nimbus.child.exitCode !== null || nimbus.child.signalCode !== null ? r(undefined) : nimbus.child.once('exit', r)));
      slowBody.destroy();
      assert.equal(nimbus.child.signalCode, 'SIGKILL');

      nimbus = await startProcess(['--data-dir', dataDir]);
      s3 = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
      const listed: _Object[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken }));
        listed.push(...(page.Contents ?? []));
        ContinuationToken = page.NextContinuationToken;
      } while (ContinuationToken);
      const keys = new Set(listed.map((o) => o.Key!));
      for (const key of acknowledged.keys()) assert.ok(keys.has(key), `acknowledged ${key} is missing after the restart`);
      assert.ok(!keys.has('slow/never-finished'), 'the interrupted upload is listed');
      // A PUT whose answer was lost in the kill may have committed: then it is whole, like the others.
      for (const o of listed) {
        const expected = sent.get(o.Key!);
        assert.ok(expected, `${o.Key} was never sent`);
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
        const body = await got.Body!.transformToByteArray();
        assert.equal(md5(body), expected, `${o.Key} does not hold what was sent`);
        // A multipart object's ETag is not its MD5, so only what the upload answered can vouch for it.
        if (!o.Key!.startsWith('mpu/')) assert.equal(o.ETag, `"${expected}"`);
        assert.equal(got.ETag, o.ETag);
        if (acknowledged.has(o.Key!)) assert.equal(acknowledged.get(o.Key!), o.ETag);
      }
      // The restarted server takes writes again.
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'after', Body: 'restart' }));
      assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'after' }))).Body!.transformToString(), 'restart');
    } finally {
      await nimbus.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
