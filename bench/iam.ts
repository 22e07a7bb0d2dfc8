import { Sha256 } from '@aws-crypto/sha256-js';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SignatureV4 } from '@smithy/signature-v4';
import { config } from './clients.js';
import { startNimbusProcess } from './core.js';
import { lockstep, median, medianBy, replay, row, TABLE_HEAD, type LoadResult, type Replayed } from './lib.js';

/** Measurement rounds per concurrency, each giving one on/off ratio. */
const ROUNDS = 7;

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
  return { server, requests: [request] };
}
