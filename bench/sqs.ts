import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { config, measure, type Row } from './clients.js';
import { startNimbusProcess } from './core.js';
import { row, TABLE_HEAD } from './lib.js';

export async function sqsBench(seconds: number, getCallerIdentityCpu: number | undefined): Promise<string[]> {
  const nimbus = await startNimbusProcess();
  const sqs = new SQSClient(config(nimbus.port));
  const sns = new SNSClient(config(nimbus.port));
  const rows: Row[] = [];
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'bench' }));
  for (const c of [1, 16]) {
    rows.push([`SendMessage, c=${c}`, await measure(nimbus, () => sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(256) })), c, seconds)]);
  }
  for (const c of [1, 16]) {
    rows.push([`ReceiveMessage + DeleteMessage, c=${c} (per pair)`, await measure(nimbus, async () => {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }));
      const m = r.Messages?.[0];
      if (m) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
    }, c, seconds)]);
  }
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
  await nimbus.stop();
  const send = rows[0]![1];
  return ['## SQS and SNS', '', TABLE_HEAD.replace('vs bare', ''), ...rows.map(([n, r]) => row(n, r)), '',
    `- Long-poll wake-up, from the start of SendMessage to the waiting ReceiveMessage's return (100 rounds, SDK v3 both sides): p50 **${wakes[50]!.toFixed(2)} ms**, p99 ${wakes[98]!.toFixed(2)} ms (target p50 < 5 ms).`,
    getCallerIdentityCpu ? `- SendMessage server CPU per request is ${(send.cpuUsPerReq / getCallerIdentityCpu).toFixed(2)}x GetCallerIdentity's under the same SDK client at c=1 (target ≤ 1.5x).` : '', ''];
}
