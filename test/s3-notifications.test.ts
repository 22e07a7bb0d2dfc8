import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand, DeleteObjectCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client, GetBucketNotificationConfigurationCommand,
  PutObjectTaggingCommand, RestoreObjectCommand,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Nimbus } from '../src/index.js';
import { clientConfig, queueAllowing, rejects, start } from './helpers.js';

/** Event notifications in S3's record format, delivered to SQS through the bus. */
describe('S3 event notifications', () => {
  let nimbus: Nimbus;
  let s3: S3Client;
  let sqs: SQSClient;
  let n = 0;
  const unique = (tag: string) => `${tag}-${process.pid}-${++n}`;
  before(async () => {
    nimbus = await start();
    s3 = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
    sqs = new SQSClient(clientConfig(nimbus));
  });
  after(() => nimbus.stop());

  async function receive(QueueUrl: string, count: number): Promise<any[]> {
    const bodies: any[] = [];
    for (let i = 0; i < 5 && bodies.length < count; i++) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      bodies.push(...(out.Messages ?? []).map((m) => JSON.parse(m.Body!)));
    }
    return bodies;
  }

  it('sends s3:TestEvent, then created and removed records that match the filter, to a queue', async () => {
    const b = unique('events');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: unique('s3-events') }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await s3.send(new PutBucketNotificationConfigurationCommand({
      Bucket: b,
      NotificationConfiguration: {
        QueueConfigurations: [{
          Id: 'images', QueueArn: Attributes!.QueueArn!, Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:Delete'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'images/' }, { Name: 'suffix', Value: '.jpg' }] } },
        }],
      },
    }));
    const bad = await rejects(s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: b, NotificationConfiguration: { QueueConfigurations: [{ QueueArn: Attributes!.QueueArn!, Events: ['s3:ObjectExploded:*' as never] }] } })));
    assert.equal(bad.name, 'InvalidArgument');
    const config = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: b }));
    assert.equal(config.QueueConfigurations?.[0]?.Id, 'images');
    const [test] = await receive(QueueUrl!, 1);
    assert.equal(test.Event, 's3:TestEvent');
    assert.equal(test.Bucket, b);

    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'images/cat photo.jpg', Body: 'meow' }));
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'images/notes.txt', Body: 'skip me' }));
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'other/dog.jpg', Body: 'skip me too' }));
    await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'images/cat photo.jpg' }));
    const records = (await receive(QueueUrl!, 2)).flatMap((m) => m.Records);
    assert.deepEqual(records.map((r) => r.eventName).sort(), ['ObjectCreated:Put', 'ObjectRemoved:Delete']);
    const created = records.find((r) => r.eventName === 'ObjectCreated:Put');
    assert.equal(created.eventSource, 'aws:s3');
    assert.equal(created.s3.bucket.name, b);
    assert.equal(created.s3.object.key, 'images/cat+photo.jpg');
    assert.equal(created.s3.object.size, 4);
    assert.equal(created.s3.configurationId, 'images');
  });
  it('announces restores and tag changes to the events that name them', async () => {
    const b = unique('events-more');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: unique('s3-more') }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await s3.send(new PutBucketNotificationConfigurationCommand({
      Bucket: b, NotificationConfiguration: { QueueConfigurations: [{ QueueArn: Attributes!.QueueArn!, Events: ['s3:ObjectRestore:*', 's3:ObjectTagging:*'] }] },
    }));
    await receive(QueueUrl!, 1);
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'cold', Body: 'ice', StorageClass: 'GLACIER' }));
    await s3.send(new RestoreObjectCommand({ Bucket: b, Key: 'cold', RestoreRequest: { Days: 2 } }));
    await s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'cold', Tagging: { TagSet: [{ Key: 'a', Value: 'b' }] } }));
    const names = (await receive(QueueUrl!, 3)).flatMap((m) => m.Records).map((r) => r.eventName).sort();
    assert.deepEqual(names, ['ObjectRestore:Completed', 'ObjectRestore:Post', 'ObjectTagging:Put']);
  });
});

describe('S3 event notifications under IAM enforcement', () => {
  let nimbus: Nimbus;
  before(async () => {
    nimbus = await start({ enforceIam: true });
  });
  after(() => nimbus.stop());

  it('reach a queue only when its policy lets s3.amazonaws.com send for the bucket', async () => {
    const s3 = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
    const sqs = new SQSClient(clientConfig(nimbus));
    const bucket = `guarded-${process.pid}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const queue = (name: string, sourceArn?: string) =>
      queueAllowing(sqs, `${name}-${process.pid}`, sourceArn ? { service: 's3.amazonaws.com', sourceArn } : undefined);
    const allowed = await queue('allowed', `arn:aws:s3:::${bucket}`);
    const otherBucket = await queue('other-bucket', 'arn:aws:s3:::someone-else');
    const noPolicy = await queue('no-policy');
    await s3.send(new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          { QueueArn: noPolicy.arn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'c/' }] } } },
          { QueueArn: otherBucket.arn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'b/' }] } } },
          { QueueArn: allowed.arn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'a/' }] } } },
        ],
      },
    }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'c/x', Body: '1' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'b/x', Body: '2' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/x', Body: '3' }));
    const events: string[] = [];
    for (let i = 0; i < 5 && events.length < 2; i++) {
      const got = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: allowed.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }))).Messages ?? [];
      for (const m of got) {
        const body = JSON.parse(m.Body!);
        events.push(body.Event ?? `${body.Records[0].eventName} ${body.Records[0].s3.object.key}`);
      }
    }
    assert.deepEqual(events, ['s3:TestEvent', 'ObjectCreated:Put a/x']);
    // Deliveries go out in order: by now the two refused queues have had theirs, and hold nothing.
    for (const q of [otherBucket, noPolicy]) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      assert.equal(got.Messages, undefined, q.arn);
    }
  });
});
