import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { aws, rssMiB, startProcess } from './helpers.js';

const MiB = 1024 * 1024;

/** MiB number `i` of the test file: one random block stamped with its index, so a misplaced part shows. */
function mebibyte(block: Buffer, i: number): Buffer {
  block.writeUInt32BE(i, 0);
  return block;
}

async function writeFile(path: string, block: Buffer, mib: number): Promise<void> {
  const file = await open(path, 'w');
  try {
    for (let i = 0; i < mib; i++) await file.write(mebibyte(block, i), 0, MiB, i * MiB);
  } finally {
    await file.close();
  }
}

/** True when the file at `path` is exactly what `writeFile` wrote, read back a MiB at a time. */
async function holds(path: string, block: Buffer, mib: number): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    if ((await file.stat()).size !== mib * MiB) return false;
    const got = Buffer.alloc(MiB);
    for (let i = 0; i < mib; i++) {
      const { bytesRead } = await file.read(got, 0, MiB, i * MiB);
      if (bytesRead !== MiB || !got.equals(mebibyte(block, i))) return false;
    }
    return true;
  } finally {
    await file.close();
  }
}

/**
 * Bodies are streamed, never held whole: a 1 GiB multipart upload and download through the AWS
 * CLI leaves the server's memory where it was. Nimbus runs in its own process so that its RSS
 * is its own.
 */
describe('S3 large objects through the AWS CLI', () => {
  it('aws s3 cp uploads a 1 GiB file in parts and downloads it intact, while the server stays within tens of MiB of idle', async () => {
    const nimbus = await startProcess(['--ephemeral']);
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-1gib-'));
    try {
      const bucket = `large-${process.pid}`;
      const mb = await aws(nimbus, ['s3', 'mb', `s3://${bucket}`]);
      assert.equal(mb.code, 0, mb.stderr);
      const block = randomBytes(MiB);
      await writeFile(join(dir, 'big'), block, 1024);
      const idle = rssMiB(nimbus.pid);
      let peak = idle;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(nimbus.pid))), 25);
      try {
        const up = await aws(nimbus, ['s3', 'cp', '--no-progress', join(dir, 'big'), `s3://${bucket}/big`]);
        assert.equal(up.code, 0, up.stderr);
        const head = await aws(nimbus, ['s3api', 'head-object', '--bucket', bucket, '--key', 'big']);
        assert.equal(head.json.ContentLength, 1024 * MiB);
        assert.match(head.json.ETag, /^"[0-9a-f]{32}-\d+"$/);
        const down = await aws(nimbus, ['s3', 'cp', '--no-progress', `s3://${bucket}/big`, join(dir, 'back')]);
        assert.equal(down.code, 0, down.stderr);
      } finally {
        clearInterval(sampler);
      }
      assert.ok(await holds(join(dir, 'back'), block, 1024), 'the downloaded file differs from the uploaded one');
      process.stdout.write(`# server RSS: idle ${idle.toFixed(1)} MiB, peak ${peak.toFixed(1)} MiB during the 1 GiB copy up and down\n`);
      // V8 collects dead Buffers once 64 MiB of them have piled up (its external-memory soft limit), so
      // a streaming server peaks about that far above idle; a body held whole would be 1 GiB above it.
      assert.ok(peak - idle < 80, `server RSS grew from ${idle.toFixed(1)} MiB to ${peak.toFixed(1)} MiB`);
    } finally {
      await nimbus.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
