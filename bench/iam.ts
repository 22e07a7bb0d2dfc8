import { Sha256 } from '@aws-crypto/sha256-js';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SignatureV4 } from '@smithy/signature-v4';
import { Agent, request as httpRequest } from 'node:http';
import { config } from './clients.js';
import { startNimbusProcess } from './core.js';
import { cpuMs, replay, row, TABLE_HEAD, type LoadResult, type Server } from './lib.js';

/** Measurement rounds per concurrency, each giving one on/off ratio. */
const ROUNDS = 7;

type Replayed = { server: Server; request: { method: string; path: string; headers: Record<string, string>; body: string } };

/**
 * The cost of enforcement: SQS GetQueueUrl (a cheap call that, unlike GetCallerIdentity, needs
 * a permission) signed by an IAM user with 10 attached policies of 10 statements each, with
 * enforcement off and on. Only the last statement allows the call, so every statement is read.
 *
 * Both servers run side by side and are loaded in lockstep: each connection sends one request to
 * the server without enforcement, then one to the server with it, and again. So both answer the
 * same number of requests at the same pace in the same seconds. On this shared machine the load
 * of other processes drifts within seconds, and measured one after the other two identical
 * servers differed by 0.7x to 1.3x; loaded independently at the same time, the slower one got
 * fewer requests and so spent more per request. The ratio reported is the median of the
 * rounds'. The request is signed once and replayed, so the load generator's own CPU does not
 * starve the servers; they are warmed up first, as a fresh server's CPU per request falls for seconds.
 */
export async function iamBench(seconds: number): Promise<string[]> {
  const off = await benchServer([]);
  const on = await benchServer(['--enforce-iam']);
  const roundSeconds = Math.max(1, (seconds * 2) / 3);
  await lockstep([off, on], 16, Math.max(3, seconds));
  const lines: string[] = [];
  const notes: string[] = [];
  for (const c of [1, 16]) {
    const rounds: LoadResult[][] = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push(await lockstep([off, on], c, roundSeconds));
    const ratios = rounds.map(([x, y]) => y!.cpuUsPerReq / x!.cpuUsPerReq);
    const name = (state: string) => `SQS GetQueueUrl as an IAM user with 10 policies x 10 statements, pre-signed replay, enforcement ${state}, c=${c}`;
    // Each row is its server's median round; the ratio is the median of the rounds' own ratios.
    lines.push(row(name('off'), medianBy(rounds.map(([x]) => x!))));
    lines.push(row(name('on'), medianBy(rounds.map(([, y]) => y!))).replace(/ \| {2}\|$/, ` | ${median(ratios).toFixed(2)}x |`));
    notes.push(`c=${c}: ${ratios.map((r) => `${r.toFixed(2)}x`).join(', ')}`);
  }
  await off.server.stop();
  await on.server.stop();
  return ['## IAM enforcement cost', '', TABLE_HEAD.replace('vs bare', 'vs off'), ...lines, '',
    `Server CPU per request on/off in each of ${ROUNDS} rounds of ${roundSeconds.toFixed(1)} s, the servers loaded in lockstep: ${notes.join('; ')}.`,
    'Target: enforcement adds under 25% server CPU per request (median ratio < 1.25).', ''];
}

/** `connections` loops that each send one request to every server in turn, for `seconds`; one result per server. */
async function lockstep(targets: Replayed[], connections: number, seconds: number): Promise<LoadResult[]> {
  const agents = targets.map(() => new Agent({ keepAlive: true, maxSockets: connections }));
  const bodies = targets.map((t) => Buffer.from(t.request.body));
  const once = (i: number) => new Promise<number>((resolve, reject) => {
    const { server, request } = targets[i]!;
    const req = httpRequest({ host: '127.0.0.1', port: server.port, method: request.method, path: request.path, headers: { ...request.headers, 'content-length': String(bodies[i]!.length) }, agent: agents[i] }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(bodies[i]);
  });
  const latencies = targets.map((): number[] => []);
  const errors = targets.map(() => 0);
  const cpu0 = targets.map((t) => cpuMs(t.server.pid));
  const end = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: connections }, async () => {
    // Which server goes first alternates, so that neither always follows the other.
    for (let turn = 0; performance.now() < end; turn++) {
      for (let k = 0; k < targets.length; k++) {
        const i = (k + turn) % targets.length;
        const t = performance.now();
        const status = await once(i).catch(() => 0);
        if (status === 0 || status >= 300) errors[i]!++;
        else latencies[i]!.push(performance.now() - t);
      }
    }
  }));
  const cpu = targets.map((t, i) => cpuMs(t.server.pid) - cpu0[i]!);
  agents.forEach((a) => a.destroy());
  return targets.map((_, i) => {
    const sorted = latencies[i]!.sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
    return { requests: sorted.length + errors[i]!, errors: errors[i]!, rps: sorted.length / seconds, p50Ms: pct(50), p99Ms: pct(99), cpuUsPerReq: (cpu[i]! * 1000) / Math.max(sorted.length, 1) };
  });
}

/** A server with the bench queue and user, and a GetQueueUrl request that user signed for it. */
async function benchServer(args: string[]): Promise<Replayed> {
  const server = await startNimbusProcess(args);
  const iam = new IAMClient(config(server.port));
  await new SQSClient(config(server.port)).send(new CreateQueueCommand({ QueueName: 'bench' }));
  await iam.send(new CreateUserCommand({ UserName: 'bench' }));
  for (let p = 0; p < 10; p++) {
    const Statement = Array.from({ length: 10 }, (_, s) => ({
      Effect: 'Allow',
      Action: p === 9 && s === 9 ? ['sqs:GetQueueUrl'] : [`s3:Get${p}${s}*`, `dynamodb:Query${p}${s}`],
      Resource: p === 9 && s === 9 ? 'arn:aws:sqs:us-east-1:000000000000:bench*' : '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
    }));
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: `p${p}`, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement }) }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'bench', PolicyArn: Policy!.Arn! }));
  }
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'bench' }));
  const signer = new SignatureV4({ service: 'sqs', region: 'us-east-1', credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! }, sha256: Sha256 });
  const body = JSON.stringify({ QueueName: 'bench' });
  const signed = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: server.port, path: '/', query: {},
    headers: { host: `127.0.0.1:${server.port}`, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.GetQueueUrl' }, body,
  });
  const request = { method: 'POST', path: '/', headers: signed.headers as Record<string, string>, body };
  // The request must succeed (enforcement allows it): a bench of denials would measure errors.
  const check = await replay(server, request, 1, 0.1);
  if (check.errors > 0) throw new Error('GetQueueUrl as the bench user failed');
  return { server, request };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The round whose server CPU per request is the median one. */
function medianBy(results: LoadResult[]): LoadResult {
  return [...results].sort((a, b) => a.cpuUsPerReq - b.cpuUsPerReq)[Math.floor(results.length / 2)]!;
}
