import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ChangeMessageVisibilityBatchCommand, ChangeMessageVisibilityCommand, CreateQueueCommand, DeleteMessageBatchCommand, DeleteMessageCommand,
  GetQueueAttributesCommand, ListDeadLetterSourceQueuesCommand, ListMessageMoveTasksCommand, ReceiveMessageCommand, SendMessageBatchCommand,
  SendMessageCommand, SetQueueAttributesCommand, SQSClient, StartMessageMoveTaskCommand, CancelMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

async function advance(nimbus: Nimbus, by: string): Promise<void> {
  const res = await fetch(`${nimbus.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) });
  assert.equal(res.status, 200);
}

describe('SQS messages', { timeout: 60_000 }, () => {
  let nimbus: Nimbus;
  let sqs: SQSClient;
  const queue = async (attrs: Record<string, string> = {}, name = unique('q')) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attrs }))).QueueUrl!;
  const count = async (url: string, name = 'ApproximateNumberOfMessages') =>
    Number(((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [name as 'All'] }))).Attributes as Record<string, string>)[name]);
  const arnOf = async (url: string) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!['QueueArn']!;

  before(async () => {
    nimbus = await start();
    sqs = new SQSClient(clientConfig(nimbus));
  });
  after(() => nimbus.stop());

  it('a message sent with attributes is received with the MD5 digests AWS computes', async () => {
    const QueueUrl = await queue();
    const sent = await sqs.send(new SendMessageCommand({
      QueueUrl, MessageBody: 'hello ☁️', MessageAttributes: { timestamp: { DataType: 'Number', StringValue: '1493147359900' } },
    }));
    // The SDK itself verifies MD5OfMessageBody; this digest of the attribute is the one AWS answers.
    assert.equal(sent.MD5OfMessageAttributes, '235c5c510d26fb653d073faed50ae77c');
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }));
    const m = got.Messages![0]!;
    assert.equal(m.MessageId, sent.MessageId);
    assert.equal(m.Body, 'hello ☁️');
    assert.equal(m.MD5OfMessageAttributes, '235c5c510d26fb653d073faed50ae77c');
    assert.deepEqual(m.MessageAttributes, { timestamp: { DataType: 'Number', StringValue: '1493147359900' } });
    assert.equal(m.Attributes!['ApproximateReceiveCount'], '1');
    assert.equal(m.Attributes!['SenderId'], '000000000000');
    assert.match(m.Attributes!['SentTimestamp']!, /^\d{13}$/);
    assert.match(m.Attributes!['ApproximateFirstReceiveTimestamp']!, /^\d{13}$/);
  });

  it('an AWSTraceHeader system attribute is digested and returned on request', async () => {
    const QueueUrl = await queue();
    const sent = await sqs.send(new SendMessageCommand({
      QueueUrl, MessageBody: 'traced', MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793' } },
    }));
    assert.match(sent.MD5OfMessageSystemAttributes!, /^[0-9a-f]{32}$/);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['AWSTraceHeader'] }));
    assert.deepEqual(got.Messages![0]!.Attributes, { AWSTraceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793' });
  });

  it('binary and custom-typed attributes round trip; only the requested ones come back', async () => {
    const QueueUrl = await queue();
    await sqs.send(new SendMessageCommand({
      QueueUrl, MessageBody: 'b', MessageAttributes: {
        blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 255]) },
        'trace.id': { DataType: 'String.uuid', StringValue: 'abc' },
        other: { DataType: 'String', StringValue: 'x' },
      },
    }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['blob', 'trace.*'] }));
    const attrs = got.Messages![0]!.MessageAttributes!;
    assert.deepEqual(Object.keys(attrs).sort(), ['blob', 'trace.id']);
    assert.deepEqual(Buffer.from(attrs['blob']!.BinaryValue!), Buffer.from([0, 1, 2, 255]));
    assert.equal(attrs['trace.id']!.DataType, 'String.uuid');
  });

  it('SendMessage refuses messages over MaximumMessageSize, invalid characters and bad attributes', async () => {
    const QueueUrl = await queue({ MaximumMessageSize: '1024' });
    let err = await rejects(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(1025) })));
    assert.equal(err.name, 'InvalidParameterValue');
    assert.match(err.message, /shorter than 1024 bytes/);
    err = await rejects(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'bell \u0007' })));
    assert.equal(err.name, 'InvalidMessageContents');
    err = await rejects(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'ten' } } })));
    assert.equal(err.name, 'InvalidParameterValue');
    err = await rejects(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', DelaySeconds: 901 })));
    assert.equal(err.name, 'InvalidParameterValue');
  });

  it('a received message stays invisible for the visibility timeout, then comes back with a higher receive count', async () => {
    const QueueUrl = await queue({ VisibilityTimeout: '30' });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'job' }));
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages!.length, 1);
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
    assert.equal(await count(QueueUrl, 'ApproximateNumberOfMessagesNotVisible'), 1);
    await advance(nimbus, '31s');
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'], VisibilityTimeout: 5 }));
    assert.equal(again.Messages![0]!.Attributes!['ApproximateReceiveCount'], '2');
  });

  it('ChangeMessageVisibility makes a message visible again; stale or foreign handles fail', async () => {
    const QueueUrl = await queue();
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'job' }));
    const m = (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages![0]!;
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
    const again = (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages![0]!;
    assert.equal(again.MessageId, m.MessageId);
    let err = await rejects(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 10 })));
    assert.equal(err.name, 'MessageNotInflight');
    err = await rejects(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: 'garbage', VisibilityTimeout: 10 })));
    assert.equal(err.name, 'ReceiptHandleIsInvalid');
    err = await rejects(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 43201 })));
    assert.equal(err.name, 'InvalidParameterValue');
    await advance(nimbus, '20s');
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 43000 }));
    err = await rejects(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 43200 })));
    assert.match(err.message, /beyond the limit/);
    const batch = await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl, Entries: [
      { Id: 'ok', ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 60 },
      { Id: 'bad', ReceiptHandle: 'garbage', VisibilityTimeout: 60 },
    ] }));
    assert.deepEqual(batch.Successful, [{ Id: 'ok' }]);
    assert.equal(batch.Failed![0]!.Code, 'ReceiptHandleIsInvalid');
  });

  it('DeleteMessage deletes with the latest receipt handle; batches report failures per entry', async () => {
    const QueueUrl = await queue();
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: '1' }, { Id: 'b', MessageBody: '2' }, { Id: 'c', MessageBody: '3' }] }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    assert.equal(got.Messages!.length, 3);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: got.Messages![0]!.ReceiptHandle }));
    const res = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: [
      { Id: 'x', ReceiptHandle: got.Messages![1]!.ReceiptHandle }, { Id: 'y', ReceiptHandle: got.Messages![2]!.ReceiptHandle }, { Id: 'z', ReceiptHandle: 'nope' },
    ] }));
    assert.deepEqual(res.Successful!.map((s) => s.Id), ['x', 'y']);
    assert.deepEqual(res.Failed!.map((f) => [f.Id, f.Code, f.SenderFault]), [['z', 'ReceiptHandleIsInvalid', true]]);
    await advance(nimbus, '31s');
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
  });

  it('SendMessageBatch reports entry failures and refuses empty, oversized and ill-formed batches', async () => {
    const QueueUrl = await queue();
    const res = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [
      { Id: 'good', MessageBody: 'fine', MessageAttributes: { a: { DataType: 'String', StringValue: 'v' } } }, { Id: 'bad', MessageBody: 'x', DelaySeconds: 1000 },
      { Id: 'badattr', MessageBody: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'ten' } } },
    ] }));
    assert.deepEqual(res.Successful!.map((e) => e.Id), ['good']);
    assert.ok(res.Successful![0]!.MD5OfMessageAttributes);
    assert.deepEqual(res.Failed!.map((f) => [f.Id, f.Code]), [['bad', 'InvalidParameterValue'], ['badattr', 'InvalidParameterValue']]);
    let err = await rejects(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [] })));
    assert.equal(err.name, 'EmptyBatchRequest');
    err = await rejects(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' })) })));
    assert.equal(err.name, 'TooManyEntriesInBatchRequest');
    err = await rejects(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'same', MessageBody: 'x' }, { Id: 'same', MessageBody: 'y' }] })));
    assert.equal(err.name, 'BatchEntryIdsNotDistinct');
    err = await rejects(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'has space', MessageBody: 'x' }] })));
    assert.equal(err.name, 'InvalidBatchEntryId');
    err = await rejects(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'x'.repeat(600_000) }, { Id: 'b', MessageBody: 'x'.repeat(600_000) }] })));
    assert.equal(err.name, 'BatchRequestTooLong');
  });

  it('message and queue delays hold messages back until the clock reaches them', async () => {
    const QueueUrl = await queue({ DelaySeconds: '10' });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'queue delay' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'message delay', DelaySeconds: 100 }));
    assert.equal(await count(QueueUrl, 'ApproximateNumberOfMessagesDelayed'), 2);
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
    await advance(nimbus, '11s');
    const first = (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages![0]!;
    assert.equal(first.Body, 'queue delay');
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first.ReceiptHandle }));
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
    await advance(nimbus, '90s');
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages![0]!.Body, 'message delay');
  });

  it('messages older than MessageRetentionPeriod are gone', async () => {
    const QueueUrl = await queue({ MessageRetentionPeriod: '60' });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'old' }));
    assert.equal(await count(QueueUrl), 1);
    await advance(nimbus, '61s');
    assert.equal(await count(QueueUrl), 0);
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
  });

  it('ReceiveMessage refuses MaxNumberOfMessages over 10 and WaitTimeSeconds over 20', async () => {
    const QueueUrl = await queue();
    let err = await rejects(sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })));
    assert.equal(err.name, 'InvalidParameterValue');
    err = await rejects(sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 21 })));
    assert.equal(err.name, 'InvalidParameterValue');
  });

  it('a long poll returns as soon as a message arrives', async () => {
    const QueueUrl = await queue();
    const started = Date.now();
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 50));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'wake up' }));
    const got = await polling;
    assert.equal(got.Messages![0]!.Body, 'wake up');
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });

  it('a long poll ends empty when the clock passes its wait time, and wakes when a delayed message becomes visible', async () => {
    const QueueUrl = await queue({ ReceiveMessageWaitTimeSeconds: '20' });
    const empty = sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    await new Promise((r) => setTimeout(r, 50));
    await advance(nimbus, '21s');
    assert.equal((await empty).Messages, undefined);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'later', DelaySeconds: 5 }));
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 50));
    await advance(nimbus, '6s');
    assert.equal((await waiting).Messages![0]!.Body, 'later');
    // A delayed message sent while the poll already waits wakes it too, once its delay is over.
    const early = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 50));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'delayed while waiting', DelaySeconds: 3 }));
    await advance(nimbus, '4s');
    assert.equal((await early).Messages![0]!.Body, 'delayed while waiting');
  });

  describe('FIFO', () => {
    const fifo = (attrs: Record<string, string> = {}) => queue({ FifoQueue: 'true', ...attrs }, unique('f') + '.fifo');

    it('delivers a group in order, one batch in flight per group, other groups meanwhile', async () => {
      const QueueUrl = await fifo({ ContentBasedDeduplication: 'true' });
      for (const [g, b] of [['a', 'a1'], ['a', 'a2'], ['b', 'b1'], ['a', 'a3']]) {
        await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: b, MessageGroupId: g }));
      }
      const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 2, MessageSystemAttributeNames: ['MessageGroupId', 'SequenceNumber'] }));
      assert.deepEqual(first.Messages!.map((m) => m.Body), ['a1', 'a2']);
      const [s1, s2] = first.Messages!.map((m) => BigInt(m.Attributes!['SequenceNumber']!));
      assert.ok(s1! < s2!);
      const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      assert.deepEqual(second.Messages!.map((m) => m.Body), ['b1'], 'group a is blocked while a1 and a2 are in flight');
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: first.Messages!.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      assert.deepEqual(third.Messages!.map((m) => m.Body), ['a3']);
    });

    it('deduplicates within five minutes, by id or by content', async () => {
      const QueueUrl = await fifo();
      const a = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
      const b = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'y', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
      assert.equal(b.MessageId, a.MessageId);
      assert.equal(b.SequenceNumber, a.SequenceNumber);
      assert.match(a.SequenceNumber!, /^\d{20}$/);
      assert.equal(await count(QueueUrl), 1);
      await advance(nimbus, '301s');
      const c = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
      assert.notEqual(c.MessageId, a.MessageId);
      const content = await fifo({ ContentBasedDeduplication: 'true' });
      const d = await sqs.send(new SendMessageCommand({ QueueUrl: content, MessageBody: 'same', MessageGroupId: 'g' }));
      const e = await sqs.send(new SendMessageCommand({ QueueUrl: content, MessageBody: 'same', MessageGroupId: 'g' }));
      assert.equal(e.MessageId, d.MessageId);
    });

    it('requires a group id, a deduplication id without content-based deduplication, and no per-message delay', async () => {
      const QueueUrl = await fifo();
      let err = await rejects(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageDeduplicationId: 'd' })));
      assert.equal(err.name, 'MissingParameter');
      err = await rejects(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g' })));
      assert.equal(err.name, 'InvalidParameterValue');
      err = await rejects(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 5 })));
      assert.equal(err.name, 'InvalidParameterValue');
    });

    it('a retried receive with the same ReceiveRequestAttemptId gets the same messages and handles', async () => {
      const QueueUrl = await fifo({ ContentBasedDeduplication: 'true' });
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'once', MessageGroupId: 'g' }));
      const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl, ReceiveRequestAttemptId: 'attempt-1' }));
      const retry = await sqs.send(new ReceiveMessageCommand({ QueueUrl, ReceiveRequestAttemptId: 'attempt-1' }));
      assert.equal(retry.Messages![0]!.ReceiptHandle, first.Messages![0]!.ReceiptHandle);
      assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl, ReceiveRequestAttemptId: 'attempt-2' }))).Messages, undefined);
    });

    it('accepts the high-throughput attributes together and refuses perMessageGroupId with queue scope', async () => {
      const QueueUrl = await fifo({ DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
      const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes!;
      assert.equal(a['FifoThroughputLimit'], 'perMessageGroupId');
      assert.equal(a['DeduplicationScope'], 'messageGroup');
      const err = await rejects(fifo({ DeduplicationScope: 'queue', FifoThroughputLimit: 'perMessageGroupId' }));
      assert.equal(err.name, 'InvalidAttributeValue');
    });
  });

  describe('dead-letter queues', () => {
    it('a message received more than maxReceiveCount times moves to the dead-letter queue', async () => {
      const dlq = await queue();
      const dlqArn = await arnOf(dlq);
      const source = await queue({ VisibilityTimeout: '10', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) });
      await sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: 'poison' }));
      for (let i = 0; i < 2; i++) {
        assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl: source }))).Messages!.length, 1);
        await advance(nimbus, '11s');
      }
      assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl: source }))).Messages, undefined);
      const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MessageSystemAttributeNames: ['All'] }));
      assert.equal(dead.Messages![0]!.Body, 'poison');
      assert.equal(dead.Messages![0]!.Attributes!['DeadLetterQueueSourceArn'], await arnOf(source));
      const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));
      assert.deepEqual(sources.queueUrls, [source]);
    });

    it('a redrive policy must name an existing queue of the same type and a count from 1 to 1000', async () => {
      const err = await rejects(queue({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:nope', maxReceiveCount: 3 }) }));
      assert.equal(err.name, 'InvalidParameterValue');
      const dlqArn = await arnOf(await queue());
      const zero = await rejects(queue({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 0 }) }));
      assert.equal(zero.name, 'InvalidParameterValue');
    });

    it('a dead-letter queue whose RedriveAllowPolicy denies the source cannot be named in its RedrivePolicy', async () => {
      const dlq = await queue({ RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }) });
      const err = await rejects(queue({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf(dlq), maxReceiveCount: 3 }) }));
      assert.equal(err.name, 'InvalidParameterValue');
      assert.match(err.message, /does not allow this queue/);
      const bad = await rejects(queue({ RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue' }) }));
      assert.equal(bad.name, 'InvalidParameterValue');
    });

    it('a message move task returns dead letters to their source queue', async () => {
      const dlq = await queue();
      const dlqArn = await arnOf(dlq);
      const source = await queue({ VisibilityTimeout: '0' });
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: source, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) } }));
      await sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: 'retry me' }));
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: source }));
      assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl: source }))).Messages, undefined);
      assert.equal(await count(dlq), 1);
      const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
      assert.ok(TaskHandle);
      const tasks = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
      assert.equal(tasks.Results![0]!.Status, 'COMPLETED');
      assert.equal(tasks.Results![0]!.ApproximateNumberOfMessagesMoved, 1);
      assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl: source }))).Messages![0]!.Body, 'retry me');
      const cancel = await rejects(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle })));
      assert.equal(cancel.name, 'UnsupportedOperation');
      const notDlq = await rejects(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: await arnOf(source) })));
      assert.equal(notDlq.name, 'InvalidParameterValue');
    });
  });

  describe('other clients', () => {
    it('the AWS CLI creates, sends and receives', async () => {
      const name = unique('cli');
      const created = await aws(nimbus, ['sqs', 'create-queue', '--queue-name', name]);
      assert.equal(created.code, 0, created.stderr);
      const url = created.json.QueueUrl;
      const sent = await aws(nimbus, ['sqs', 'send-message', '--queue-url', url, '--message-body', 'from cli',
        '--message-attributes', '{"timestamp":{"DataType":"Number","StringValue":"1493147359900"}}']);
      assert.equal(sent.json.MD5OfMessageAttributes, '235c5c510d26fb653d073faed50ae77c');
      const got = await aws(nimbus, ['sqs', 'receive-message', '--queue-url', url, '--attribute-names', 'All']);
      assert.equal(got.json.Messages[0].Body, 'from cli');
      const missing = await aws(nimbus, ['sqs', 'get-queue-url', '--queue-name', unique('missing')]);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /NonExistentQueue|QueueDoesNotExist/);
    });

    it('query-protocol clients send with attributes and receive XML, with query error codes', async () => {
      const url = await queue();
      const query = (params: Record<string, string>) => fetch(nimbus.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00',
        },
        body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
      });
      const sent = await query({ Action: 'SendMessage', QueueUrl: url, MessageBody: 'old client',
        'MessageAttribute.1.Name': 'timestamp', 'MessageAttribute.1.Value.DataType': 'Number', 'MessageAttribute.1.Value.StringValue': '1493147359900' });
      const sentXml = await sent.text();
      assert.equal(sent.status, 200, sentXml);
      assert.match(sentXml, /<MD5OfMessageAttributes>235c5c510d26fb653d073faed50ae77c<\/MD5OfMessageAttributes>/);
      const got = await (await query({ Action: 'ReceiveMessage', QueueUrl: url, 'MessageAttributeName.1': 'All', 'AttributeName.1': 'All' })).text();
      assert.match(got, /<Body>old client<\/Body>/);
      assert.match(got, /<MessageAttribute><Name>timestamp<\/Name><Value><StringValue>1493147359900<\/StringValue><DataType>Number<\/DataType><\/Value><\/MessageAttribute>/);
      assert.match(got, /<Attribute><Name>ApproximateReceiveCount<\/Name><Value>1<\/Value><\/Attribute>/);
      const missing = await query({ Action: 'GetQueueUrl', QueueName: unique('missing') });
      assert.equal(missing.status, 400);
      assert.match(await missing.text(), /<Code>AWS.SimpleQueueService.NonExistentQueue<\/Code>/);
      const name = unique('qx');
      await query({ Action: 'CreateQueue', QueueName: name });
      const exists = await query({ Action: 'CreateQueue', QueueName: name, 'Attribute.1.Name': 'DelaySeconds', 'Attribute.1.Value': '9' });
      assert.match(await exists.text(), /<Code>QueueAlreadyExists<\/Code>/);
    });
  });
});
