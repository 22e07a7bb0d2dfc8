import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfirmSubscriptionCommand, CreateTopicCommand, PublishBatchCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Nimbus } from '../src/index.js';
import { clientConfig, start } from './helpers.js';

const MESSAGES = 1000;
const COLORS = ['red', 'green', 'blue'];

describe('SNS fan-out scenario', { timeout: 60_000 }, () => {
  let nimbus: Nimbus;
  let sns: SNSClient;
  let sqs: SQSClient;
  let server: Server;
  const posted: { type: string; body: string }[] = [];
  let onPost = () => {};

  before(async () => {
    nimbus = await start();
    sns = new SNSClient(clientConfig(nimbus));
    sqs = new SQSClient(clientConfig(nimbus));
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        posted.push({ type: String(req.headers['x-amz-sns-message-type']), body });
        res.writeHead(200).end();
        onPost();
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  });
  after(async () => {
    await new Promise((ok) => server.close(ok));
    await nimbus.stop();
  });

  async function queue(name: string) {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-${process.pid}` }))).QueueUrl!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!['QueueArn']!;
    return { url, arn };
  }

  async function drain(url: string, expected: number): Promise<string[]> {
    const bodies: string[] = [];
    for (let empty = 0; bodies.length < expected || empty < 1;) {
      const got = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }))).Messages ?? [];
      if (got.length === 0) {
        if (++empty > 5) break;
        continue;
      }
      bodies.push(...got.map((m) => m.Body!));
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: got.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
    return bodies;
  }

  it('1,000 published messages land exactly where the subscriptions and their filters say', async () => {
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: `fanout-${process.pid}` }))).TopicArn!;
    const all = await queue('fanout-all');
    const red = await queue('fanout-red');
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: all.arn, Attributes: { RawMessageDelivery: 'true' } }));
    await sns.send(new SubscribeCommand({
      TopicArn: topicArn, Protocol: 'sqs', Endpoint: red.arn,
      Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ color: ['red'] }) },
    }));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
    const confirmation = new Promise<void>((ok) => (onPost = ok));
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: url }));
    await confirmation;
    await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: JSON.parse(posted[0]!.body).Token }));

    const colorOf = (i: number) => COLORS[i % COLORS.length]!;
    for (let i = 0; i < MESSAGES; i += 10) {
      await sns.send(new PublishBatchCommand({
        TopicArn: topicArn,
        PublishBatchRequestEntries: Array.from({ length: 10 }, (_, j) => ({
          Id: `m${j}`, Message: `msg-${i + j}`, MessageAttributes: { color: { DataType: 'String', StringValue: colorOf(i + j) } },
        })),
      }));
    }

    const notifications = () => posted.filter((p) => p.type === 'Notification').length;
    const httpDone = new Promise<void>((ok) => {
      onPost = () => notifications() >= MESSAGES && ok();
      onPost();
    });
    const everything = Array.from({ length: MESSAGES }, (_, i) => `msg-${i}`);
    const reds = everything.filter((_, i) => colorOf(i) === 'red');
    assert.deepEqual((await drain(all.url, MESSAGES)).sort(), everything.sort());
    assert.deepEqual((await drain(red.url, reds.length)).sort(), reds.sort());
    await httpDone;
    const httpBodies = posted.filter((p) => p.type === 'Notification').map((p) => JSON.parse(p.body).Message as string);
    assert.deepEqual(httpBodies.sort(), everything.sort());
  });
});
