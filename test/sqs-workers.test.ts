import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ChangeMessageVisibilityBatchCommand, CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand,
  SendMessageBatchCommand, SQSClient, type Message,
} from '@aws-sdk/client-sqs';
import type { Nimbus } from '../src/index.js';
import { clientConfig, start } from './helpers.js';

const MESSAGES = 10_000;
const PRODUCERS = 4;
const POISON_EVERY = 50;
const MAX_RECEIVES = 3;
/** The batches on which a crashing consumer dies without deleting what it took (and restarts). */
const CRASH_ON = new Set([2, 5, 9]);

describe('SQS worker scenario', { timeout: 180_000 }, () => {
  let nimbus: Nimbus;
  let sqs: SQSClient;
  before(async () => {
    nimbus = await start();
    sqs = new SQSClient(clientConfig(nimbus, { maxAttempts: 3 }));
  });
  after(() => nimbus.stop());

  it('four long-polling consumers, two of them crashing, process each of 10,000 messages once; poison messages end in the DLQ', async (t) => {
    const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `workers-dlq-${process.pid}` }))).QueueUrl!;
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes!['QueueArn']!;
    const QueueUrl = (await sqs.send(new CreateQueueCommand({
      QueueName: `workers-${process.pid}`,
      // Ten minutes to process a batch: only the clock driver below, never the test's own slowness, times a batch out.
      Attributes: { VisibilityTimeout: '600', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: MAX_RECEIVES }) },
    }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!['QueueArn']!;
    const counts = async (url: string) => {
      const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes!;
      return { visible: Number(a['ApproximateNumberOfMessages']), inFlight: Number(a['ApproximateNumberOfMessagesNotVisible']), delayed: Number(a['ApproximateNumberOfMessagesDelayed']) };
    };
    const isPoison = (body: string) => Number(body.slice(4)) % POISON_EVERY === 0;
    const bodies = Array.from({ length: MESSAGES }, (_, i) => `job-${i}`);

    // Producers share the jobs, ten to a SendMessageBatch, while the consumers already poll.
    let nextJob = 0;
    let produced = false;
    const producer = async () => {
      while (nextJob < MESSAGES) {
        const batch = bodies.slice(nextJob, (nextJob += 10));
        const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: batch.map((MessageBody, i) => ({ Id: `m${i}`, MessageBody })) }));
        assert.equal(sent.Failed?.length ?? 0, 0);
      }
    };

    // The clock driver stops every consumer between batches before it moves time on, so only
    // the batches of crashed consumers time out: a message is processed twice only if SQS
    // hands it out twice while it is in flight.
    let pause: Promise<void> | undefined;
    let parked = 0;
    let done = false;
    const processed = new Map<string, number>();
    let crashes = 0;
    const consumer = async (crashing: boolean) => {
      let batches = 0;
      while (!done) {
        if (pause) {
          parked++;
          await pause;
          parked--;
          continue;
        }
        const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        const messages = got.Messages ?? [];
        if (messages.length === 0) continue;
        if (crashing && CRASH_ON.has(++batches)) {
          crashes++;
          continue;
        }
        const ok: Message[] = [];
        const failed: Message[] = [];
        for (const m of messages) (isPoison(m.Body!) ? failed : ok).push(m);
        for (const m of ok) processed.set(m.Body!, (processed.get(m.Body!) ?? 0) + 1);
        const entries = (ms: Message[]) => ms.map((m, i) => ({ Id: `e${i}`, ReceiptHandle: m.ReceiptHandle! }));
        if (ok.length > 0) {
          const deleted = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: entries(ok) }));
          assert.equal(deleted.Failed?.length ?? 0, 0);
        }
        // A job that fails is released at once for another try, as workers do instead of waiting out the timeout.
        if (failed.length > 0) {
          const released = await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl, Entries: entries(failed).map((e) => ({ ...e, VisibilityTimeout: 0 })) }));
          assert.equal(released.Failed?.length ?? 0, 0);
        }
      }
    };
    let jumps = 0;
    const clockDriver = async () => {
      const deadline = Date.now() + 150_000;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        const main = await counts(QueueUrl);
        if (produced && processed.size === MESSAGES - MESSAGES / POISON_EVERY && main.visible + main.inFlight === 0
          && (await counts(dlqUrl)).visible === MESSAGES / POISON_EVERY) break;
        if (!produced || main.visible > 0 || main.inFlight === 0) continue;
        // Nothing visible, something in flight: wait for the consumers to stop, then let the crashed batches time out.
        let resume!: () => void;
        pause = new Promise((r) => (resume = r));
        while (parked < 4) await new Promise((r) => setTimeout(r, 10));
        const now = await counts(QueueUrl);
        if (now.visible === 0 && now.inFlight > 0) {
          const moved = await fetch(`${nimbus.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '601s' }) });
          assert.equal(moved.status, 200);
          jumps++;
        }
        pause = undefined;
        resume();
      }
      done = true;
    };
    const started = Date.now();
    await Promise.all([
      Promise.all(Array.from({ length: PRODUCERS }, producer)).then(() => (produced = true)),
      consumer(true), consumer(true), consumer(false), consumer(false), clockDriver(),
    ]);

    const expected = bodies.filter((b) => !isPoison(b));
    assert.deepEqual([...processed.keys()].sort(), expected.sort(), 'every job processed');
    assert.deepEqual([...processed.entries()].filter(([, n]) => n !== 1), [], 'no job processed twice');
    assert.equal(crashes, 2 * CRASH_ON.size);
    assert.ok(jumps >= 1, 'crashed batches stay invisible until their visibility timeout passes');
    assert.deepEqual(await counts(QueueUrl), { visible: 0, inFlight: 0, delayed: 0 });

    // The DLQ holds each poison message once, marked with the queue it came from.
    const dead: string[] = [];
    for (;;) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['DeadLetterQueueSourceArn'] }));
      if (!got.Messages) break;
      for (const m of got.Messages) {
        assert.equal(m.Attributes?.DeadLetterQueueSourceArn, queueArn);
        dead.push(m.Body!);
      }
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: dlqUrl, Entries: got.Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })) }));
    }
    assert.deepEqual(dead.sort(), bodies.filter(isPoison).sort());
    t.diagnostic(`${MESSAGES} messages through 4 consumers in ${((Date.now() - started) / 1000).toFixed(1)} s, ${crashes} crashed batches, ${jumps} clock jumps`);
  });
});
