import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { config, measure, type Row } from './clients.js';
import { startNimbusProcess } from './core.js';
import { replay, row, startServer, TABLE_HEAD, type LoadResult } from './lib.js';

function mbps(r: LoadResult, bytes: number): string {
  return `${((r.rps * bytes) / 1e6).toFixed(0)} MB/s`;
}

export async function s3Bench(seconds: number): Promise<string[]> {
  const nimbus = await startNimbusProcess();
  const dir = mkdtempSync(join(tmpdir(), 's3rver-'));
  const s3rver = await startServer([new URL('../../node_modules/s3rver/bin/s3rver.js', import.meta.url).pathname, '-d', dir, '-a', '127.0.0.1', '-p', '{port}', '--silent'],
    async (port) => (await fetch(`http://127.0.0.1:${port}/`)).status < 500);
  const rows: Row[] = [];
  const small = Buffer.alloc(4096, 'a');
  const large = Buffer.alloc(1 << 20, 'b');
  let gbps = '';
  for (const [name, server, extra] of [['s3rver', s3rver, { credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }], ['Nimbus', nimbus, {}]] as const) {
    const s3 = new S3Client(config(server.port, { forcePathStyle: true, ...extra }));
    await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
    for (const c of [1, 16]) {
      let i = 0;
      const put = await measure(server, () => s3.send(new PutObjectCommand({ Bucket: 'bench', Key: `small-${c}-${i++ % 1000}`, Body: small })), c, seconds);
      const get = await measure(server, async () => (await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: `small-${c}-${i++ % 100}` }))).Body!.transformToByteArray(), c, seconds);
      const base = (label: string) => rows.find(([n]) => n === `s3rver ${label}, c=${c}`)?.[1];
      rows.push([`${name} PutObject 4 KiB, c=${c}`, put, name === 'Nimbus' ? base('PutObject 4 KiB') : undefined]);
      rows.push([`${name} GetObject 4 KiB, c=${c}`, get, name === 'Nimbus' ? base('GetObject 4 KiB') : undefined]);
    }
    await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'large', Body: large }));
    const put1m = await measure(server, () => s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'large-put', Body: large })), 1, seconds);
    rows.push([`${name} PutObject 1 MiB, c=1`, put1m, name === 'Nimbus' ? rows.find(([n]) => n === 's3rver PutObject 1 MiB, c=1')?.[1] : undefined]);
    // 1 MiB GETs from a presigned URL, replayed by the light generator: the server's streaming rate.
    const url = new URL(await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'bench', Key: 'large' }), { expiresIn: 3600 }));
    for (const c of [1, 16]) {
      const get1m = await replay(server, { method: 'GET', path: url.pathname + url.search, headers: { host: url.host } }, c, seconds);
      rows.push([`${name} GetObject 1 MiB (presigned replay), c=${c}: ${mbps(get1m, 1 << 20)}`, get1m, name === 'Nimbus' ? rows.find(([n]) => n.startsWith(`s3rver GetObject 1 MiB (presigned replay), c=${c}`))?.[1] : undefined]);
      if (name === 'Nimbus' && c === 16) gbps = mbps(get1m, 1 << 20);
    }
  }
  await nimbus.stop();
  await s3rver.stop();
  rmSync(dir, { recursive: true, force: true });
  return ['## S3: PutObject and GetObject, against s3rver', '', TABLE_HEAD.replace('vs bare', 'vs s3rver'), ...rows.map(([n, r, b]) => row(n, r, b)), '',
    `Targets: server CPU per 4 KiB PUT and GET at most a quarter of s3rver's (ratio ≤ 0.25); 1 MiB GET streaming at least 500 MB/s (Nimbus at c=16: ${gbps}).`, ''];
}
