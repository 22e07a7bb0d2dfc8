import { Sha256 } from '@aws-crypto/sha256-js';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { Agent } from 'node:http';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { compare, loop, median, replay, row, rssMiB, startServer, TABLE_HEAD, type LoadResult, type Server, type SignedRequest } from './lib.js';

/** The `nimbus` command as installed: the bundle of scripts/bundle.mjs. */
const CLI = new URL('../bundle/nimbus.cjs', import.meta.url).pathname;
const BODY = 'Action=GetCallerIdentity&Version=2011-06-15';

/** A GetCallerIdentity request signed once, as an SDK would sign it, for replay. */
export async function signedGetCallerIdentity(port: number) {
  const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port, path: '/', query: {},
    headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: BODY,
  });
  return { method: 'POST', path: '/', headers: signed.headers as Record<string, string>, body: BODY };
}

const signedForPort = new Map<number, ReturnType<typeof signedGetCallerIdentity>>();

/** Polls with one request signed once per port, so the client's signing is not timed as start-up. */
async function nimbusReady(port: number): Promise<boolean> {
  if (!signedForPort.has(port)) signedForPort.set(port, signedGetCallerIdentity(port));
  const req = await signedForPort.get(port)!;
  const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: req.headers, body: req.body });
  await res.arrayBuffer();
  return res.status === 200;
}

export function startNimbusProcess(extraArgs: string[] = [], env?: NodeJS.ProcessEnv): Promise<Server & { startMs: number; startCpuMs: number }> {
  return startServer([CLI, 'start', '--ephemeral', '--port', '{port}', '--log-level', 'error', ...extraArgs], nimbusReady, env);
}

/** The ceiling: node:http answering a fixed body of the same size as Nimbus's answer. */
export function startBareServer(env?: NodeJS.ProcessEnv): Promise<Server & { startMs: number; startCpuMs: number }> {
  const answer = `<?xml version="1.0" encoding="UTF-8"?><GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:root</Arn><UserId>000000000000</UserId><Account>000000000000</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
  const code = `require('http').createServer((q, s) => { q.resume(); q.on('end', () => { s.writeHead(200, { 'content-type': 'text/xml', 'content-length': ${Buffer.byteLength(answer)} }); s.end(${JSON.stringify(answer)}); }); }).listen(Number(process.argv[1]), '127.0.0.1');`;
  return startServer(['-e', code, '{port}'], async (port) => (await fetch(`http://127.0.0.1:${port}/`)).status === 200, env);
}

/**
 * The floor: a TCP server (node:net) that answers every chunk it reads with one fixed HTTP
 * response, `body` as JSON. It parses nothing, so it is the least any Node.js server can cost per request.
 */
export function startSocketServer(body: string): Promise<Server & { startMs: number; startCpuMs: number }> {
  const response = `HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const code = `const r = Buffer.from(${JSON.stringify(response)}); require('net').createServer({ noDelay: true }, (s) => { s.on('data', () => s.write(r)); s.on('error', () => {}); }).listen(Number(process.argv[1]), '127.0.0.1');`;
  return startServer(['-e', code, '{port}'], async (port) => (await fetch(`http://127.0.0.1:${port}/`)).status === 200);
}

const READER_ROUNDS = 7;

/**
 * Nimbus reads the JSON and query protocols' requests off the socket itself (src/gateway/http1.ts)
 * instead of through node:http. Two instances answer the same pre-signed GetCallerIdentity in
 * lockstep; one is sent a header twice on each request, which its reader leaves to node:http with
 * the rest of the connection, so it answers every request through node:http.
 */
async function readerAgainstNodeHttp(seconds: number): Promise<string[]> {
  const reader = await startNimbusProcess();
  const nodeHttp = await startNimbusProcess();
  const signed = async (port: number, extra: Record<string, string[]>): Promise<SignedRequest[]> => {
    const r = await signedGetCallerIdentity(port);
    return [{ ...r, headers: { ...r.headers, ...extra } as unknown as Record<string, string> }];
  };
  const targets = [{ server: reader, requests: await signed(reader.port, {}) }, { server: nodeHttp, requests: await signed(nodeHttp.port, { 'x-nimbus-bench': ['1', '1'] }) }];
  const lines = ['### Nimbus\'s HTTP/1.1 reader against node:http', '', TABLE_HEAD.replace('vs bare', 'vs node:http')];
  const notes: string[] = [];
  for (const c of [1, 16]) {
    const { base, other, ratios } = await compare(targets[1]!, targets[0]!, c, seconds, READER_ROUNDS);
    lines.push(row(`GetCallerIdentity through node:http, c=${c}`, base));
    lines.push(row(`GetCallerIdentity through Nimbus's reader, c=${c}`, other).replace(/ \| {2}\|$/, ` | ${median(ratios).toFixed(2)}x |`));
    notes.push(`c=${c}: ${ratios.map((x) => x.toFixed(2)).join(', ')}`);
  }
  await reader.stop();
  await nodeHttp.stop();
  return [...lines, '', `Both instances are loaded in lockstep with the same pre-signed request; a row is the median of ${READER_ROUNDS} rounds, the ratio the median of the rounds' ratios of server CPU per request (${notes.join('; ')}).`, ''];
}

export async function coreBench(seconds: number): Promise<{ lines: string[]; sdkCpuUsPerReq: number }> {
  const lines: string[] = [];
  // Start-up: process spawn to the first successful signed request.
  const RUNS = 9;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  // NODE_EXTRA_CA_CERTS makes Node 20 read and parse those certificates before any JavaScript
  // runs, in every node process (about 140 of them on these machines). Nimbus makes no TLS
  // connection at start-up, so start-up is measured without it, and with it where it is set.
  const withoutCaCerts = { ...process.env };
  delete withoutCaCerts['NODE_EXTRA_CA_CERTS'];
  const envs: [string, NodeJS.ProcessEnv][] = [['without NODE_EXTRA_CA_CERTS', withoutCaCerts]];
  if (process.env['NODE_EXTRA_CA_CERTS']) envs.push([`with this machine's NODE_EXTRA_CA_CERTS (${process.env['NODE_EXTRA_CA_CERTS']})`, process.env]);
  const runs = envs.map(() => ({ nimbus: [] as number[], bare: [] as number[], nimbusCpu: [] as number[], bareCpu: [] as number[] }));
  let idleRss = 0;
  let bareRss = 0;
  for (let i = 0; i < RUNS; i++) {
    for (const [e, [, env]] of envs.entries()) {
      const n = await startNimbusProcess([], env);
      runs[e]!.nimbus.push(n.startMs);
      runs[e]!.nimbusCpu.push(n.startCpuMs);
      await new Promise((r) => setTimeout(r, 200));
      idleRss = Math.max(idleRss, rssMiB(n.pid));
      await n.stop();
      const b = await startBareServer(env);
      runs[e]!.bare.push(b.startMs);
      runs[e]!.bareCpu.push(b.startCpuMs);
      await fetch(`http://127.0.0.1:${b.port}/`);
      await new Promise((r) => setTimeout(r, 200));
      bareRss = Math.max(bareRss, rssMiB(b.pid));
      await b.stop();
    }
  }
  lines.push('## Core: start-up, memory, GetCallerIdentity', '');
  lines.push(`Start-up is process spawn to the first successful GetCallerIdentity, the median of ${RUNS} runs interleaved with a bare node:http server; CPU is what the process used to get there (all threads, from the scheduler), also the median. Target: under 150 ms.`, '');
  lines.push('| environment | Nimbus start-up | bare node:http start-up | Nimbus CPU | bare CPU |', '|---|---|---|---|---|');
  for (const [e, [name]] of envs.entries()) {
    const r = runs[e]!;
    lines.push(`| ${name} | **${median(r.nimbus).toFixed(0)} ms** | ${median(r.bare).toFixed(0)} ms | ${median(r.nimbusCpu).toFixed(0)} ms | ${median(r.bareCpu).toFixed(0)} ms |`);
  }
  lines.push('', `- Idle RSS after start-up and one request (max of ${RUNS * envs.length}): **${idleRss.toFixed(1)} MiB** (target < 60 MiB); the bare node:http server: ${bareRss.toFixed(1)} MiB.`, '');

  const nimbus = await startNimbusProcess();
  const bare = await startBareServer();
  const request = await signedGetCallerIdentity(nimbus.port);
  const bareRequest = { ...request, headers: { ...request.headers, host: `127.0.0.1:${bare.port}` } };
  const results: [string, LoadResult, LoadResult?][] = [];
  for (const c of [1, 16]) {
    // Warm both servers (JIT, lazy model load) before measuring.
    await replay(nimbus, request, c, 1);
    await replay(bare, bareRequest, c, 1);
    const b = await replay(bare, bareRequest, c, seconds);
    const n = await replay(nimbus, request, c, seconds);
    results.push([`bare node:http, replay, c=${c}`, b]);
    results.push([`Nimbus GetCallerIdentity, pre-signed replay, c=${c}`, n, b]);
  }
  // The same SDK v3 client against both servers: the bare one answers the XML the SDK expects.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const client = (port: number) => new STSClient({
    endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: new NodeHttpHandler({ httpAgent: agent }),
  });
  const sts = client(nimbus.port);
  const bareSts = client(bare.port);
  for (const c of [1, 16]) {
    await loop(nimbus, () => sts.send(new GetCallerIdentityCommand({})), c, 1);
    await loop(bare, () => bareSts.send(new GetCallerIdentityCommand({})), c, 1);
    const b = await loop(bare, () => bareSts.send(new GetCallerIdentityCommand({})), c, seconds);
    const n = await loop(nimbus, () => sts.send(new GetCallerIdentityCommand({})), c, seconds);
    results.push([`bare node:http, SDK v3 keep-alive, c=${c}`, b]);
    results.push([`Nimbus GetCallerIdentity, SDK v3 keep-alive, c=${c}`, n, b]);
  }
  agent.destroy();
  await nimbus.stop();
  await bare.stop();
  lines.push(TABLE_HEAD, ...results.map(([name, r, base]) => row(name, r, base)), '');
  lines.push('Server CPU per request is the primary figure (target: at most 3x the bare server\'s). Throughput with the SDK client is bounded by the client process, which saturates a core first.', '');
  lines.push(...await readerAgainstNodeHttp(seconds));
  const sdk = results.find(([name]) => name === 'Nimbus GetCallerIdentity, SDK v3 keep-alive, c=1')![1];
  return { lines, sdkCpuUsPerReq: sdk.cpuUsPerReq };
}
