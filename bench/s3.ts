import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { config, measure, type Row } from './clients.js';
import { startNimbusProcess } from './core.js';
import { replay, row, startServer, TABLE_HEAD, type LoadResult, type Server } from './lib.js';

function mbps(r: LoadResult, bytes: number): string {
  return `${((r.rps * bytes) / 1e6).toFixed(0)} MB/s`;
}

/** The ceiling for streaming: node:http piping the same 1 MiB from a file, nothing else. */
function startBareFileServer(file: string): Promise<Server & { startMs: number }> {
  const code = `const fs = require('fs'); require('http').createServer((q, s) => { s.writeHead(200, { 'content-length': fs.statSync(${JSON.stringify(file)}).size }); fs.createReadStream(${JSON.stringify(file)}, { highWaterMark: 512 * 1024 }).pipe(s); }).listen(Number(process.argv[1]), '127.0.0.1');`;
  return startServer(['-e', code, '{port}'], async (port) => {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    await res.arrayBuffer();
    return res.status === 200;
  });
}

/**
 * S3 PUT and GET against s3rver. Each load runs on s3rver and then at once on Nimbus, so that the
 * two figures of a ratio share the machine's state of the moment (shared machines drift).
 */
export async function s3Bench(seconds: number): Promise<string[]> {
  const nimbus = await startNimbusProcess();
  const dir = mkdtempSync(join(tmpdir(), 's3rver-'));
  const s3rver = await startServer([new URL('../../node_modules/s3rver/bin/s3rver.js', import.meta.url).pathname, '-d', dir, '-a', '127.0.0.1', '-p', '{port}', '--silent'],
    async (port) => (await fetch(`http://127.0.0.1:${port}/`)).status < 500);
  const large = Buffer.alloc(1 << 20, 'b');
  const bareDir = mkdtempSync(join(tmpdir(), 'bare-'));
  writeFileSync(join(bareDir, 'large.bin'), large);
  const bare = await startBareFileServer(join(bareDir, 'large.bin'));
  const small = Buffer.alloc(4096, 'a');
  const servers = [
    { name: 's3rver', server: s3rver, s3: new S3Client(config(s3rver.port, { forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } })) },
    { name: 'Nimbus', server: nimbus, s3: new S3Client(config(nimbus.port, { forcePathStyle: true })) },
  ] as const;
  for (const { s3 } of servers) {
    await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
    await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'large', Body: large }));
    for (let k = 0; k < 100; k++) await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: `small-${k}`, Body: small }));
  }
  const rows: Row[] = [];
  /** One load on s3rver, then on Nimbus with s3rver's figure as its baseline. */
  const both = async (label: string, run: (s: (typeof servers)[number]) => Promise<LoadResult>, suffix?: (r: LoadResult) => string) => {
    const [base, ours] = [await run(servers[0]), await run(servers[1])];
    rows.push([`s3rver ${label}${suffix ? suffix(base) : ''}`, base]);
    rows.push([`Nimbus ${label}${suffix ? suffix(ours) : ''}`, ours, base]);
    return ours;
  };
  let i = 0;
  for (const c of [1, 16]) {
    await both(`PutObject 4 KiB, c=${c}`, ({ server, s3 }) => measure(server, () => s3.send(new PutObjectCommand({ Bucket: 'bench', Key: `put-${i++ % 1000}`, Body: small })), c, seconds));
    await both(`GetObject 4 KiB, c=${c}`, ({ server, s3 }) => measure(server, async () => (await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: `small-${i++ % 100}` }))).Body!.transformToByteArray(), c, seconds));
  }
  await both('PutObject 1 MiB, c=1', ({ server, s3 }) => measure(server, () => s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'large-put', Body: large })), 1, seconds));
  // 1 MiB GETs from a presigned URL, replayed by the light generator: the server's streaming rate.
  const urls = await Promise.all(servers.map(async ({ s3 }) => new URL(await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'bench', Key: 'large' }), { expiresIn: 3600 }))));
  let rate = '';
  let ceiling = '';
  for (const c of [1, 16]) {
    const get = ({ server }: (typeof servers)[number]) => {
      const url = urls[server === s3rver ? 0 : 1]!;
      return replay(server, { method: 'GET', path: url.pathname + url.search, headers: { host: url.host } }, c, seconds);
    };
    const ours = await both(`GetObject 1 MiB (presigned replay), c=${c}`, get, (r) => `: ${mbps(r, 1 << 20)}`);
    await replay(bare, { method: 'GET', path: '/', headers: { host: 'localhost' } }, c, 1);
    const b = await replay(bare, { method: 'GET', path: '/', headers: { host: 'localhost' } }, c, seconds);
    rows.push([`bare node:http piping the 1 MiB file, c=${c}: ${mbps(b, 1 << 20)}`, b]);
    if (c === 16) [rate, ceiling] = [mbps(ours, 1 << 20), mbps(b, 1 << 20)];
  }
  await nimbus.stop();
  await s3rver.stop();
  await bare.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(bareDir, { recursive: true, force: true });
  return ['## S3: PutObject and GetObject, against s3rver', '', TABLE_HEAD.replace('vs bare', 'vs s3rver'), ...rows.map(([n, r, b]) => row(n, r, b)), '',
    `Targets: server CPU per 4 KiB PUT and GET at most a quarter of s3rver's (ratio ≤ 0.25); 1 MiB GET streaming at least 500 MB/s (Nimbus at c=16: ${rate}; a bare node:http server piping the same file on this machine: ${ceiling}).`, ''];
}
