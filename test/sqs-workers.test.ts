import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient,
} from '@aws-sdk/client-sqs';
import type { Nimbus } from '../src/index.js';
import { clientConfig, start } from './helpers.js';

const MESSAGES = 500;
const POISON_EVERY = 50;
const MAX_RECEIVES = 3;

describe('SQS worker scenario', { timeout: 60_000 }, () => {
  let nimbus: Nimbus;
  let sqs: SQSClient;
  before(async () => {
    nimbus = await start();
    sqs = new SQSClient(clientConfig(nimbus, { maxAttempts: 3 }));
  });
  after(() => nimbus.stop());

  it('four long-polling consumers, one of them crashing, process every message; poison messages end in the DLQ', async () => {
    const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `workers-dlq-${process.pid}` }))).QueueUrl!;
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes!['QueueArn']!;
    const QueueUrl = (await sqs.send(new CreateQueueCommand({
      QueueName: `workers-${process.pid}`,
      Attributes: { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: MAX_RECEIVES }) },
    }))).QueueUrl!;

    const poison = new Set<string>();
    for (let i = 0; i < MESSAGES; i += 10) {
      const entries = Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: `job-${i + j}` }));
      for (const e of entries) if (Number(e.MessageBody.slice(4)) % POISON_EVERY === 0) poison.add(e.MessageBody);
      await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
    }

    const processed = new Map<string, number>();
    let done = false;
    const consumer = async (crashesLeft: number) => {
      while (!done) {
        const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        const messages = got.Messages ?? [];
        // A crashed worker takes a batch and never deletes it: the messages come back after the visibility timeout.
        if (messages.length === 0 || crashesLeft-- > 0) continue;
        const ok = messages.filter((m) => !poison.has(m.Body!));
        for (const m of ok) processed.set(m.Body!, (processed.get(m.Body!) ?? 0) + 1);
        if (ok.length > 0) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: ok.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      }
    };
    const dead = new Set<string>();
    // Moves time on while the workers run, so invisible messages come back without real waiting.
    const clockDriver = async () => {
      for (let round = 0; !done && round < 200; round++) {
        await new Promise((r) => setTimeout(r, 100));
        await fetch(`${nimbus.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '31s' }) });
        const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 43200 }));
        for (const m of got.Messages ?? []) dead.add(m.Body!);
        if (processed.size === MESSAGES - poison.size && dead.size === poison.size) done = true;
      }
      done = true;
    };
    await Promise.all([consumer(3), consumer(0), consumer(0), consumer(0), clockDriver()]);

    const expected = Array.from({ length: MESSAGES }, (_, i) => `job-${i}`).filter((b) => !poison.has(b));
    assert.deepEqual([...processed.keys()].sort(), expected.sort());
    assert.deepEqual([...dead].sort(), [...poison].sort());
    const attrs = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes!;
    assert.equal(attrs['ApproximateNumberOfMessages'], '0');
    assert.equal(attrs['ApproximateNumberOfMessagesNotVisible'], '0');
  });
});
