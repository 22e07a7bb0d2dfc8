import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ListQueuesCommand, ListQueueTagsCommand, PurgeQueueCommand,
  ReceiveMessageCommand, SendMessageCommand, SetQueueAttributesCommand, SQSClient, TagQueueCommand, UntagQueueCommand,
  AddPermissionCommand, RemovePermissionCommand,
} from '@aws-sdk/client-sqs';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import type { Nimbus } from '../src/index.js';
import { clientConfig, rejects, start, withBody } from './helpers.js';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

async function advance(nimbus: Nimbus, by: string): Promise<void> {
  const res = await fetch(`${nimbus.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) });
  assert.equal(res.status, 200);
}

async function attributes(sqs: SQSClient, url: string): Promise<Record<string, string>> {
  return (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes!;
}

describe('SQS queues', () => {
  let nimbus: Nimbus;
  let sqs: SQSClient;
  before(async () => {
    nimbus = await start();
    sqs = new SQSClient(clientConfig(nimbus));
  });
  after(() => nimbus.stop());

  it('CreateQueue answers a URL on the Nimbus endpoint, and again for the same name and attributes', async () => {
    const name = unique('orders');
    const first = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '45' } }));
    assert.equal(first.QueueUrl, `${nimbus.endpoint}/000000000000/${name}`);
    const again = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '45' } }));
    assert.equal(again.QueueUrl, first.QueueUrl);
  });

  it('CreateQueue with a different attribute value fails with QueueNameExists', async () => {
    const name = unique('orders');
    await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const err = await rejects(sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { DelaySeconds: '5' } })));
    assert.equal(err.name, 'QueueNameExists');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.match(err.message, /different value for attribute DelaySeconds/);
  });

  it('CreateQueue rejects bad names and attribute values', async () => {
    let err = await rejects(sqs.send(new CreateQueueCommand({ QueueName: 'has space' })));
    assert.equal(err.name, 'InvalidParameterValue');
    err = await rejects(sqs.send(new CreateQueueCommand({ QueueName: unique('q'), Attributes: { VisibilityTimeout: '43201' } })));
    assert.equal(err.name, 'InvalidAttributeValue');
    err = await rejects(sqs.send(new CreateQueueCommand({ QueueName: unique('q'), Attributes: { ContentBasedDeduplication: 'true' } })));
    assert.equal(err.name, 'InvalidAttributeName');
    err = await rejects(sqs.send(new CreateQueueCommand({ QueueName: unique('q') + '.fifo' })));
    assert.equal(err.name, 'InvalidParameterValue');
  });

  it('GetQueueUrl finds a queue and fails with QueueDoesNotExist (query code in the header) for a missing one', async () => {
    const name = unique('lookup');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    assert.equal((await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl, QueueUrl);
    const err = await rejects(sqs.send(new GetQueueUrlCommand({ QueueName: unique('missing') })));
    assert.equal(err.name, 'QueueDoesNotExist');
    assert.equal(err.$metadata.httpStatusCode, 400);
    const res = await fetch(nimbus.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.GetQueueUrl',
        authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00',
      },
      body: JSON.stringify({ QueueName: 'nope' }),
    });
    assert.equal(res.headers.get('x-amzn-query-error'), 'AWS.SimpleQueueService.NonExistentQueue;Sender');
  });

  it('ListQueues filters by prefix and pages with MaxResults and NextToken', async () => {
    const prefix = unique('list');
    for (const n of ['a', 'b', 'c']) await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-${n}` }));
    const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
    assert.deepEqual(all.QueueUrls, ['a', 'b', 'c'].map((n) => `${nimbus.endpoint}/000000000000/${prefix}-${n}`));
    assert.equal(all.NextToken, undefined);
    const p1 = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2 }));
    assert.equal(p1.QueueUrls!.length, 2);
    assert.ok(p1.NextToken);
    const p2 = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2, NextToken: p1.NextToken }));
    assert.deepEqual(p2.QueueUrls, [`${nimbus.endpoint}/000000000000/${prefix}-c`]);
    assert.equal(p2.NextToken, undefined);
    const none = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: unique('nothing') }));
    assert.equal(none.QueueUrls, undefined);
  });

  it('DeleteQueue removes the queue; its name is reusable only after 60 seconds', async () => {
    const name = unique('gone');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    const err = await rejects(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })));
    assert.equal(err.name, 'QueueDoesNotExist');
    const again = await rejects(sqs.send(new CreateQueueCommand({ QueueName: name })));
    assert.equal(again.name, 'QueueDeletedRecently');
    await advance(nimbus, '61s');
    assert.ok((await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl);
  });

  it('GetQueueAttributes answers every attribute, with defaults and message counts from real state', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: unique('attrs') }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'visible' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'delayed', DelaySeconds: 60 }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'in flight' }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }));
    const a = await attributes(sqs, QueueUrl!);
    assert.equal(a['ApproximateNumberOfMessages'], '1');
    assert.equal(a['ApproximateNumberOfMessagesNotVisible'], '1');
    assert.equal(a['ApproximateNumberOfMessagesDelayed'], '1');
    assert.equal(a['VisibilityTimeout'], '30');
    assert.equal(a['MessageRetentionPeriod'], '345600');
    assert.equal(a['MaximumMessageSize'], '1048576');
    assert.equal(a['DelaySeconds'], '0');
    assert.equal(a['ReceiveMessageWaitTimeSeconds'], '0');
    assert.equal(a['SqsManagedSseEnabled'], 'true');
    assert.match(a['QueueArn']!, /^arn:aws:sqs:us-east-1:000000000000:attrs-/);
    assert.match(a['CreatedTimestamp']!, /^\d{10}$/);
    const some = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout'] }));
    assert.deepEqual(some.Attributes, { VisibilityTimeout: '30' });
  });

  it('SetQueueAttributes changes settable attributes and refuses computed or unknown ones', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: unique('set') }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '120', DelaySeconds: '3' } }));
    const a = await attributes(sqs, QueueUrl!);
    assert.equal(a['VisibilityTimeout'], '120');
    assert.equal(a['DelaySeconds'], '3');
    let err = await rejects(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { ApproximateNumberOfMessages: '3' } })));
    assert.equal(err.name, 'InvalidAttributeName');
    err = await rejects(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { MessageRetentionPeriod: '10' } })));
    assert.equal(err.name, 'InvalidAttributeValue');
    err = await rejects(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: 'not json' } })));
    assert.equal(err.name, 'InvalidAttributeValue');
  });

  it('tags are added, listed and removed', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: unique('tags'), tags: { team: 'a' } }));
    await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { env: 'dev' } }));
    assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { team: 'a', env: 'dev' });
    await sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['team'] }));
    assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { env: 'dev' });
  });

  it('AddPermission writes a policy statement that RemovePermission takes out', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: unique('perm') }));
    await sqs.send(new AddPermissionCommand({ QueueUrl, Label: 'send', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] }));
    const policy = JSON.parse((await attributes(sqs, QueueUrl!))['Policy']!);
    assert.equal(policy.Statement[0].Sid, 'send');
    assert.deepEqual(policy.Statement[0].Action, ['SQS:SendMessage']);
    const dup = await rejects(sqs.send(new AddPermissionCommand({ QueueUrl, Label: 'send', AWSAccountIds: ['1'], Actions: ['*'] })));
    assert.equal(dup.name, 'InvalidParameterValue');
    await sqs.send(new RemovePermissionCommand({ QueueUrl, Label: 'send' }));
    assert.equal((await attributes(sqs, QueueUrl!))['Policy'], undefined);
  });

  it('PurgeQueue empties the queue and refuses a second purge within 60 seconds', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: unique('purge') }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    assert.equal((await attributes(sqs, QueueUrl!))['ApproximateNumberOfMessages'], '0');
    const err = await rejects(sqs.send(new PurgeQueueCommand({ QueueUrl })));
    assert.equal(err.name, 'PurgeQueueInProgress');
    assert.equal(err.$metadata.httpStatusCode, 403);
    await advance(nimbus, '60s');
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
  });

  it('a null among the names a ReceiveMessage asks for is refused as a member missing, not an InternalFailure', async () => {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: unique('nulls') }))).QueueUrl!;
    // The SDK drops nulls from lists: the body goes out as written.
    const e = await rejects(sqs.send(withBody(new ReceiveMessageCommand({ QueueUrl: url }), JSON.stringify({ QueueUrl: url, MessageAttributeNames: [null, 'All'] }))));
    assert.equal(e.$metadata.httpStatusCode, 400);
    assert.equal(e.message, "1 validation error detected: Value null at 'messageAttributeNames.1.member' failed to satisfy constraint: Member must not be null");
  });

  it('queue URLs with an sqs.<region>.localhost host are accepted', async () => {
    const name = unique('hosted');
    await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const url = `http://sqs.us-east-1.localhost:${nimbus.port}/000000000000/${name}`;
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hi' }));
    assert.ok(sent.MessageId);
  });
});

describe('SQS queue policies under IAM enforcement', () => {
  let nimbus: Nimbus;
  let sqs: SQSClient;
  let iam: IAMClient;
  before(async () => {
    nimbus = await start({ enforceIam: true });
    sqs = new SQSClient(clientConfig(nimbus));
    iam = new IAMClient(clientConfig(nimbus));
  });
  after(() => nimbus.stop());

  async function userClient(name: string): Promise<SQSClient> {
    await iam.send(new CreateUserCommand({ UserName: name }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    return new SQSClient(clientConfig(nimbus, { credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } }));
  }

  it('a queue policy lets a user without identity policies send, and only that user', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: unique('guarded') }));
    const arn = (await attributes(sqs, QueueUrl!))['QueueArn']!;
    const allowed = unique('producer');
    const producer = await userClient(allowed);
    const stranger = await userClient(unique('stranger'));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::000000000000:user/${allowed}` }, Action: 'sqs:SendMessage', Resource: arn }],
    }) } }));
    assert.ok((await producer.send(new SendMessageCommand({ QueueUrl, MessageBody: 'granted' }))).MessageId);
    const err = await rejects(stranger.send(new SendMessageCommand({ QueueUrl, MessageBody: 'denied' })));
    assert.equal(err.name, 'AccessDenied');
    assert.equal(err.$metadata.httpStatusCode, 403);
  });
});
