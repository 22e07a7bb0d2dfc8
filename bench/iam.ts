import { Sha256 } from '@aws-crypto/sha256-js';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SignatureV4 } from '@smithy/signature-v4';
import { config } from './clients.js';
import { startNimbusProcess } from './core.js';
import { replay, row, TABLE_HEAD, type LoadResult, type Server } from './lib.js';

/** Off/on measurement pairs per concurrency. */
const ROUNDS = 7;

/**
 * The cost of enforcement: SQS GetQueueUrl (a cheap call that, unlike GetCallerIdentity, needs
 * a permission) signed by an IAM user with 10 attached policies of 10 statements each, with
 * enforcement off and on. Only the last statement allows the call, so every statement is read.
 *
 * Both servers run side by side and are loaded at the same time, round after round: on this
 * shared machine the load of other processes drifts within seconds, and two measurements taken
 * one after the other measured the drift as much as enforcement (identical servers measured
 * 0.7x to 1.3x of each other that way). The ratio reported is the median of the rounds' ratios.
 * The request is signed once and replayed, so the load generator's own CPU does not starve the
 * servers; both are warmed up first, as a fresh server's CPU per request falls for seconds.
 */
export async function iamBench(seconds: number): Promise<string[]> {
  const off = await benchServer([]);
  const on = await benchServer(['--enforce-iam']);
  const roundSeconds = Math.max(1, (seconds * 2) / 3);
  await Promise.all([off, on].map((s) => replay(s.server, s.request, 16, Math.max(3, seconds))));
  const lines: string[] = [];
  const notes: string[] = [];
  for (const c of [1, 16]) {
    const rounds: [LoadResult, LoadResult][] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const [a, b] = await Promise.all([off, on].map((s) => replay(s.server, s.request, c, roundSeconds)));
      rounds.push([a!, b!]);
    }
    const ratios = rounds.map(([x, y]) => y.cpuUsPerReq / x.cpuUsPerReq);
    const name = (state: string) => `SQS GetQueueUrl as an IAM user with 10 policies x 10 statements, pre-signed replay, enforcement ${state}, c=${c}`;
    // Each row is its server's median round; the ratio is the median of the rounds' own ratios.
    lines.push(row(name('off'), medianBy(rounds.map(([x]) => x))));
    lines.push(row(name('on'), medianBy(rounds.map(([, y]) => y))).replace(/ \| {2}\|$/, ` | ${median(ratios).toFixed(2)}x |`));
    notes.push(`c=${c}: ${ratios.map((r) => `${r.toFixed(2)}x`).join(', ')}`);
  }
  await off.server.stop();
  await on.server.stop();
  return ['## IAM enforcement cost', '', TABLE_HEAD.replace('vs bare', 'vs off'), ...lines, '',
    `Server CPU per request on/off in each of ${ROUNDS} rounds of ${roundSeconds.toFixed(1)} s, both servers loaded at once: ${notes.join('; ')}.`,
    'Target: enforcement adds under 25% server CPU per request (median ratio < 1.25).', ''];
}

/** A server with the bench queue and user, and a GetQueueUrl request that user signed for it. */
async function benchServer(args: string[]): Promise<{ server: Server; request: { method: string; path: string; headers: Record<string, string>; body: string } }> {
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
