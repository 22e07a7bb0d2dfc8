import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { Agent, request as httpRequest } from 'node:http';
import { config, measure, type Row } from './clients.js';
import { startNimbusProcess } from './core.js';
import { cpuMs, loop, row, rssMiB, TABLE_HEAD, type Server } from './lib.js';

const BODY = 'x'.repeat(256);

/** An SQS JSON-protocol request signed once, as the SDK signs it, for replay. */
async function signedSqs(port: number, operation: string, input: unknown) {
  const signer = new SignatureV4({ service: 'sqs', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, sha256: Sha256 });
  const body = JSON.stringify(input);
  const signed = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port, path: '/', query: {},
    headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${operation}` }, body,
  });
  return { headers: { ...(signed.headers as Record<string, string>), 'content-length': String(Buffer.byteLength(body)) }, body };
}

/**
 * Fills a queue with `count` messages of BODY: one pre-signed SendMessageBatch of 10, replayed
 * from `connections` keep-alive connections (a standard queue takes identical messages as
 * distinct ones). Returns the wall time and the server's CPU per message.
 */
async function fill(server: Server, QueueUrl: string, count: number, connections: number): Promise<{ seconds: number; cpuUsPerMessage: number }> {
  const entries = Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: BODY }));
  const request = await signedSqs(server.port, 'SendMessageBatch', { QueueUrl, Entries: entries });
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const once = () => new Promise<void>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/', headers: request.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const answer = JSON.parse(Buffer.concat(chunks).toString()) as { Successful?: unknown[] };
        if (res.statusCode !== 200 || answer.Successful?.length !== 10) reject(new Error(`SendMessageBatch answered ${res.statusCode}`));
        else resolve();
      });
    });
    req.on('error', reject);
    req.end(request.body);
  });
  let batches = count / 10;
  const cpu0 = cpuMs(server.pid);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, async () => {
    while (batches-- > 0) await once();
  }));
  const seconds = (performance.now() - t0) / 1000;
  const cpuUsPerMessage = ((cpuMs(server.pid) - cpu0) * 1000) / count;
  agent.destroy();
  return { seconds, cpuUsPerMessage };
}

export async function sqsBench(seconds: number, getCallerIdentityCpu: number | undefined): Promise<string[]> {
  const nimbus = await startNimbusProcess();
  const sqs = new SQSClient(config(nimbus.port));
  const sns = new SNSClient(config(nimbus.port));
  const rows: Row[] = [];
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'bench' }));
  // A fresh process runs its first thousands of requests unoptimised; the GetCallerIdentity figure
  // this is compared with comes from a server warmed by the core loads before it.
  await loop(nimbus, async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: BODY }));
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    if (r.Messages?.[0]) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: r.Messages[0].ReceiptHandle! }));
  }, 4, 5);
  for (const c of [1, 16]) {
    rows.push([`SendMessage, c=${c}`, await measure(nimbus, () => sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: BODY })), c, seconds)]);
  }
  for (const c of [1, 16]) {
    rows.push([`ReceiveMessage + DeleteMessage, c=${c} (per pair)`, await measure(nimbus, async () => {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }));
      const m = r.Messages?.[0];
      if (m) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
    }, c, seconds)]);
  }
  rows.push(['GetQueueAttributes All, c=1', await measure(nimbus, () => sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] })), 1, seconds)]);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'bench' }));
  const sub = await sqs.send(new CreateQueueCommand({ QueueName: 'bench-sub' }));
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: sub.QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: attrs.Attributes!['QueueArn'] }));
  for (const c of [1, 16]) {
    rows.push([`SNS Publish to an SQS subscription, c=${c}`, await measure(nimbus, () => sns.send(new PublishCommand({ TopicArn, Message: 'hello' })), c, seconds)]);
  }
  // Long-poll wake-up: a receive is waiting when the message is sent; time from send to its return.
  const { QueueUrl: wakeUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'bench-wake' }));
  const wakes: number[] = [];
  for (let i = 0; i < 100; i++) {
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: wakeUrl, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 5));
    const sent = performance.now();
    await sqs.send(new SendMessageCommand({ QueueUrl: wakeUrl, MessageBody: 'wake' }));
    const got = await waiting;
    wakes.push(performance.now() - sent);
    for (const m of got.Messages ?? []) await sqs.send(new DeleteMessageCommand({ QueueUrl: wakeUrl, ReceiptHandle: m.ReceiptHandle! }));
  }
  wakes.sort((a, b) => a - b);

  // The same loads on a queue of a million messages: the per-request cost must not grow with the queue.
  const MILLION = 1_000_000;
  const SMALL = 10_000;
  const { QueueUrl: bigUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'bench-million' }));
  const filled = await fill(nimbus, bigUrl!, MILLION, 8);
  // Each load runs on a small queue and then on the million, back to back, so the machine's drift
  // over the minutes of filling does not pass for a cost of the queue's depth.
  const { QueueUrl: smallUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'bench-small' }));
  await fill(nimbus, smallUrl!, SMALL, 8);
  const loads: [string, (url: string) => () => Promise<unknown>][] = [
    ['SendMessage, c=1', (url) => () => sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: BODY }))],
    ['ReceiveMessage + DeleteMessage, c=1 (per pair)', (url) => async () => {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
      const m = r.Messages?.[0];
      if (m) await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
    }],
    ['GetQueueAttributes All, c=1', (url) => () => sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))],
  ];
  const big: Row[] = [];
  for (const [name, load] of loads) {
    const small = await measure(nimbus, load(smallUrl!), 1, seconds);
    big.push([`small queue: ${name}`, small], [`1M queue: ${name}`, await measure(nimbus, load(bigUrl!), 1, seconds), small]);
  }
  const bigAttrs = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: bigUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes!;
  const bigRss = rssMiB(nimbus.pid);
  await nimbus.stop();
  const send = rows[0]![1];
  return ['## SQS and SNS', '', TABLE_HEAD.replace('vs bare', ''), ...rows.map(([n, r]) => row(n, r)), '',
    `A queue of a million messages (${BODY.length}-byte bodies), filled by ${MILLION / 10} pre-signed SendMessageBatch requests replayed from 8 connections in ${filled.seconds.toFixed(1)} s ` +
      `(${Math.round(MILLION / filled.seconds)} messages/s, ${filled.cpuUsPerMessage.toFixed(1)} µs server CPU per message; server RSS ${bigRss.toFixed(0)} MiB, ApproximateNumberOfMessages ${bigAttrs['ApproximateNumberOfMessages']} after the loads below):`, '',
    `Each load ran on a queue of ${SMALL / 1000}k messages, then on the million:`, '',
    TABLE_HEAD.replace('vs bare', 'vs small queue'), ...big.map(([n, r, base]) => row(n, r, base)), '',
    `- Long-poll wake-up, from the start of SendMessage to the waiting ReceiveMessage's return (100 rounds, SDK v3 both sides): p50 **${wakes[50]!.toFixed(2)} ms**, p99 ${wakes[98]!.toFixed(2)} ms (target p50 < 5 ms).`,
    getCallerIdentityCpu ? `- SendMessage server CPU per request is ${(send.cpuUsPerReq / getCallerIdentityCpu).toFixed(2)}x GetCallerIdentity's under the same SDK client at c=1 (target ≤ 1.5x).` : '', ''];
}
