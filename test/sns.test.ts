import assert from 'node:assert/strict';
import { verify, X509Certificate } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  AddPermissionCommand, CheckIfPhoneNumberIsOptedOutCommand, ListOriginationNumbersCommand, ConfirmSubscriptionCommand, ListPhoneNumbersOptedOutCommand, OptInPhoneNumberCommand, CreatePlatformApplicationCommand, CreatePlatformEndpointCommand, DeletePlatformApplicationCommand,
  GetEndpointAttributesCommand, GetPlatformApplicationAttributesCommand, ListEndpointsByPlatformApplicationCommand, SetEndpointAttributesCommand, CreateSMSSandboxPhoneNumberCommand, DeleteSMSSandboxPhoneNumberCommand, GetSMSAttributesCommand,
  GetSMSSandboxAccountStatusCommand, ListSMSSandboxPhoneNumbersCommand, SetSMSAttributesCommand, VerifySMSSandboxPhoneNumberCommand, GetDataProtectionPolicyCommand, PutDataProtectionPolicyCommand, CreateTopicCommand, RemovePermissionCommand, DeleteTopicCommand, GetSubscriptionAttributesCommand, GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand, ListTagsForResourceCommand, ListTopicsCommand, PublishBatchCommand, PublishCommand, SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand, SNSClient, SubscribeCommand, TagResourceCommand, UnsubscribeCommand, UntagResourceCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, queueAllowing, rejects, start, withBody } from './helpers.js';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP subscriber: records every POST, answering with the status `respond` gives. */
class Endpoint {
  readonly received: Received[] = [];
  private waiters: (() => void)[] = [];
  respond: () => number = () => 200;
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        this.received.push({ headers: req.headers, body });
        res.writeHead(this.respond()).end();
        for (const w of this.waiters.splice(0)) w();
      });
    });
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', ok));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  async next(count: number): Promise<Received[]> {
    while (this.received.length < count) await new Promise<void>((ok) => this.waiters.push(ok));
    return this.received;
  }

  stop(): Promise<void> {
    return new Promise((ok) => this.server.close(() => ok()));
  }
}

async function advance(nimbus: Nimbus, by: string): Promise<void> {
  const res = await fetch(`${nimbus.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) });
  assert.equal(res.status, 200);
}

describe('SNS', { timeout: 60_000 }, () => {
  let nimbus: Nimbus;
  let sns: SNSClient;
  let sqs: SQSClient;
  const topic = async (name = unique('t'), attrs?: Record<string, string>) => (await sns.send(new CreateTopicCommand({ Name: name, Attributes: attrs }))).TopicArn!;
  const queue = async (name = unique('q'), attrs?: Record<string, string>) => {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attrs }))).QueueUrl!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!['QueueArn']!;
    return { url, arn };
  };
  const receive = async (url: string, wait = 2) =>
    (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: wait, MessageAttributeNames: ['All'] }))).Messages ?? [];
  /** Bodies on the queue: at least `count` of them unless the queue stays empty, plus any straggler arriving soon after. */
  const bodies = async (url: string, count: number): Promise<string[]> => {
    const out: string[] = [];
    for (let empty = 0; out.length < count && empty < 3;) {
      const got = await receive(url);
      if (got.length === 0) empty++;
      out.push(...got.map((m) => m.Body!));
    }
    out.push(...(await receive(url, 1)).map((m) => m.Body!));
    return out;
  };
  const outbox = async (endpoint: string) =>
    ((await (await fetch(`${nimbus.endpoint}/_nimbus/sns/outbox?endpoint=${encodeURIComponent(endpoint)}`)).json()) as { messages: any[] }).messages;

  before(async () => {
    nimbus = await start();
    sns = new SNSClient(clientConfig(nimbus));
    sqs = new SQSClient(clientConfig(nimbus));
  });
  after(() => nimbus.stop());

  describe('topics', () => {
    it('CreateTopic is idempotent by name and refuses different attributes', async () => {
      const name = unique('orders');
      const arn = await topic(name, { DisplayName: 'Orders' });
      assert.equal(arn, `arn:aws:sns:us-east-1:000000000000:${name}`);
      assert.equal(await topic(name, { DisplayName: 'Orders' }), arn);
      const err = await rejects(topic(name, { DisplayName: 'Other' }));
      assert.equal(err.name, 'InvalidParameterException');
      assert.equal(err.$metadata.httpStatusCode, 400);
    });

    it('CreateTopic refuses bad names, and .fifo names without FifoTopic', async () => {
      assert.equal((await rejects(topic('has space'))).name, 'InvalidParameterException');
      assert.equal((await rejects(topic(unique('f') + '.fifo'))).name, 'InvalidParameterException');
      assert.match(await topic(unique('f') + '.fifo', { FifoTopic: 'true' }), /\.fifo$/);
    });

    it('GetTopicAttributes answers the defaults and subscription counts; SetTopicAttributes changes them', async () => {
      const arn = await topic();
      await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'DisplayName', AttributeValue: 'Shown' }));
      const { url, arn: queueArn } = await queue();
      assert.ok(url);
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn }));
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'email', Endpoint: 'someone@example.com' }));
      const a = (await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!;
      assert.equal(a['TopicArn'], arn);
      assert.equal(a['Owner'], '000000000000');
      assert.equal(a['DisplayName'], 'Shown');
      assert.equal(a['SubscriptionsConfirmed'], '1');
      assert.equal(a['SubscriptionsPending'], '1');
      assert.equal(JSON.parse(a['Policy']!).Statement[0].Resource, arn);
      const bad = await rejects(sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'Nope', AttributeValue: 'x' })));
      assert.equal(bad.name, 'InvalidParameterException');
    });

    it('a missing topic is NotFound; DeleteTopic is idempotent and ListTopics pages', async () => {
      const err = await rejects(sns.send(new GetTopicAttributesCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:nope' })));
      assert.equal(err.name, 'NotFoundException');
      assert.equal(err.$metadata.httpStatusCode, 404);
      const arn = await topic();
      await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
      await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
      for (let i = 0; i < 101; i++) await topic(unique('many'));
      const first = await sns.send(new ListTopicsCommand({}));
      assert.equal(first.Topics!.length, 100);
      assert.ok(first.NextToken);
      const second = await sns.send(new ListTopicsCommand({ NextToken: first.NextToken }));
      assert.ok(second.Topics!.length >= 1);
      assert.ok(!second.Topics!.some((t) => t.TopicArn === arn));
    });

    it('AddPermission adds a labelled statement to the topic policy and RemovePermission takes it out', async () => {
      const arn = await topic();
      await sns.send(new AddPermissionCommand({ TopicArn: arn, Label: 'partner', AWSAccountId: ['111122223333'], ActionName: ['Publish'] }));
      let policy = JSON.parse((await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!['Policy']!);
      const added = policy.Statement.find((st: { Sid: string }) => st.Sid === 'partner');
      assert.deepEqual(added.Action, ['SNS:Publish']);
      assert.deepEqual(added.Principal, { AWS: ['arn:aws:iam::111122223333:root'] });
      const dup = await rejects(sns.send(new AddPermissionCommand({ TopicArn: arn, Label: 'partner', AWSAccountId: ['1'], ActionName: ['Publish'] })));
      assert.equal(dup.name, 'InvalidParameterException');
      await sns.send(new RemovePermissionCommand({ TopicArn: arn, Label: 'partner' }));
      policy = JSON.parse((await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!['Policy']!);
      assert.deepEqual(policy.Statement.map((st: { Sid: string }) => st.Sid), ['__default_statement_ID']);
    });

    it('a data protection policy is stored and returned as given, and must be a JSON policy', async () => {
      const arn = await topic();
      assert.equal((await sns.send(new GetDataProtectionPolicyCommand({ ResourceArn: arn }))).DataProtectionPolicy, undefined);
      const policy = JSON.stringify({ Name: 'p', Description: '', Version: '2021-06-01', Statement: [] });
      await sns.send(new PutDataProtectionPolicyCommand({ ResourceArn: arn, DataProtectionPolicy: policy }));
      assert.equal((await sns.send(new GetDataProtectionPolicyCommand({ ResourceArn: arn }))).DataProtectionPolicy, policy);
      const err = await rejects(sns.send(new PutDataProtectionPolicyCommand({ ResourceArn: arn, DataProtectionPolicy: '{' })));
      assert.equal(err.name, 'InvalidParameterException');
    });

    it('tags are added, listed and removed; an unknown resource is ResourceNotFound', async () => {
      const arn = await topic();
      await sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'team', Value: 'a' }, { Key: 'env', Value: 'dev' }] }));
      await sns.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['team'] }));
      assert.deepEqual((await sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags, [{ Key: 'env', Value: 'dev' }]);
      const err = await rejects(sns.send(new ListTagsForResourceCommand({ ResourceArn: arn + 'x' })));
      assert.equal(err.name, 'ResourceNotFoundException');
    });
  });

  describe('delivery to SQS', () => {
    it('a queue subscriber receives the JSON envelope with subject and attributes', async () => {
      const arn = await topic();
      const q = await queue();
      const sub = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: q.arn }));
      assert.match(sub.SubscriptionArn!, new RegExp(`^${arn}:[0-9a-f-]{36}$`));
      const pub = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'hello', Subject: 'Greeting', MessageAttributes: { kind: { DataType: 'String', StringValue: 'greet' } } }));
      const [m] = await receive(q.url);
      const env = JSON.parse(m!.Body!);
      assert.equal(env.Type, 'Notification');
      assert.equal(env.MessageId, pub.MessageId);
      assert.equal(env.TopicArn, arn);
      assert.equal(env.Subject, 'Greeting');
      assert.equal(env.Message, 'hello');
      assert.deepEqual(env.MessageAttributes, { kind: { Type: 'String', Value: 'greet' } });
      assert.match(env.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it('raw message delivery puts the bare message and its attributes on the queue', async () => {
      const arn = await topic();
      const q = await queue();
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));
      await sns.send(new PublishCommand({ TopicArn: arn, Message: 'raw body', MessageAttributes: { n: { DataType: 'Number', StringValue: '42' } } }));
      const [m] = await receive(q.url);
      assert.equal(m!.Body, 'raw body');
      assert.deepEqual(m!.MessageAttributes, { n: { DataType: 'Number', StringValue: '42' } });
    });

    it('a message the subscribed queue cannot take goes to the subscription dead-letter queue', async () => {
      const arn = await topic();
      const dlq = await queue();
      await sns.send(new SubscribeCommand({
        TopicArn: arn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:deleted-queue',
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) },
      }));
      await sns.send(new PublishCommand({ TopicArn: arn, Message: 'undeliverable' }));
      const [dead] = await receive(dlq.url);
      assert.equal(JSON.parse(dead!.Body!).Message, 'undeliverable');
    });

    it('MessageStructure json sends each protocol its own message, and needs a default', async () => {
      const arn = await topic();
      const q = await queue();
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));
      await sns.send(new PublishCommand({ TopicArn: arn, MessageStructure: 'json', Message: JSON.stringify({ default: 'plain', sqs: 'for queues' }) }));
      assert.equal((await receive(q.url))[0]!.Body, 'for queues');
      const err = await rejects(sns.send(new PublishCommand({ TopicArn: arn, MessageStructure: 'json', Message: JSON.stringify({ sqs: 'x' }) })));
      assert.equal(err.name, 'InvalidParameterException');
      assert.match(err.message, /No default entry/);
    });

    it('PublishBatch publishes each entry and reports failures per entry', async () => {
      const arn = await topic();
      const q = await queue();
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));
      const res = await sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: [
        { Id: 'a', Message: 'one' }, { Id: 'b', Message: 'two' }, { Id: 'c', Message: '' },
        { Id: 'd', Message: 'bad attribute', MessageAttributes: { n: { DataType: 'Number', StringValue: 'ten' } } },
      ] }));
      assert.deepEqual(res.Successful!.map((s) => s.Id), ['a', 'b']);
      assert.deepEqual(res.Failed!.map((f) => [f.Id, f.Code]), [['c', 'InvalidParameter'], ['d', 'ParameterValueInvalid']]);
      assert.deepEqual((await bodies(q.url, 2)).sort(), ['one', 'two']);
      const empty = await rejects(sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: [] })));
      assert.equal(empty.name, 'EmptyBatchRequestException');
      const dup = await rejects(sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: [{ Id: 'x', Message: '1' }, { Id: 'x', Message: '2' }] })));
      assert.equal(dup.name, 'BatchEntryIdsNotDistinctException');
    });

    it('a FIFO topic delivers in order to a FIFO queue, deduplicating and numbering messages', async () => {
      const arn = await topic(unique('ft') + '.fifo', { FifoTopic: 'true', ContentBasedDeduplication: 'true' });
      const q = await queue(unique('fq') + '.fifo', { FifoQueue: 'true' });
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));
      const a = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'first', MessageGroupId: 'g' }));
      const dup = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'first', MessageGroupId: 'g' }));
      const b = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'second', MessageGroupId: 'g' }));
      assert.equal(dup.MessageId, a.MessageId);
      assert.match(a.SequenceNumber!, /^\d{20}$/);
      assert.ok(BigInt(b.SequenceNumber!) > BigInt(a.SequenceNumber!));
      assert.deepEqual(await bodies(q.url, 2), ['first', 'second']);
      const err = await rejects(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x' })));
      assert.equal(err.name, 'InvalidParameterException');
      const http = await rejects(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'https', Endpoint: 'https://example.com/hook' })));
      assert.equal(http.name, 'InvalidParameterException');
      const std = await topic();
      const fifoOnStandard = await rejects(sns.send(new SubscribeCommand({ TopicArn: std, Protocol: 'sqs', Endpoint: q.arn })));
      assert.equal(fifoOnStandard.name, 'InvalidParameterException');
    });
  });

  describe('subscriptions', () => {
    let endpoint: Endpoint;
    before(async () => {
      endpoint = await new Endpoint().start();
    });
    after(() => endpoint.stop());

    it('an HTTP subscriber confirms with the token it is sent, then receives notifications', async () => {
      const arn = await topic();
      const before = endpoint.received.length;
      const sub = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'http', Endpoint: endpoint.url }));
      assert.equal(sub.SubscriptionArn, 'pending confirmation');
      const confirmation = (await endpoint.next(before + 1))[before]!;
      assert.equal(confirmation.headers['x-amz-sns-message-type'], 'SubscriptionConfirmation');
      const body = JSON.parse(confirmation.body);
      assert.equal(body.Type, 'SubscriptionConfirmation');
      assert.equal(body.TopicArn, arn);
      const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }));
      assert.equal(listed.Subscriptions![0]!.SubscriptionArn, 'PendingConfirmation');
      const bad = await rejects(sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: 'wrong' })));
      assert.equal(bad.name, 'InvalidParameterException');
      const confirmed = await sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: body.Token }));
      assert.match(confirmed.SubscriptionArn!, new RegExp(`^${arn}:`));
      await sns.send(new PublishCommand({ TopicArn: arn, Message: 'over http' }));
      const note = (await endpoint.next(before + 2))[before + 1]!;
      assert.equal(note.headers['x-amz-sns-message-type'], 'Notification');
      assert.equal(note.headers['x-amz-sns-subscription-arn'], confirmed.SubscriptionArn);
      assert.equal(JSON.parse(note.body).Message, 'over http');
      const attrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: confirmed.SubscriptionArn }))).Attributes!;
      assert.equal(attrs['PendingConfirmation'], 'false');
      assert.equal(attrs['Protocol'], 'http');
    });

    it('HTTP deliveries are signed, SHA1 for SignatureVersion 1 and SHA256 for 2, by the certificate at SigningCertURL', async () => {
      // The string to sign, as AWS documents it. https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
      const fields = (m: Record<string, string>) => m['Type'] === 'Notification'
        ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
        : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
      const canonical = (m: Record<string, string>) => fields(m).filter((f) => m[f] !== undefined).map((f) => `${f}\n${m[f]}\n`).join('');
      for (const version of ['1', '2']) {
        const arn = await topic(unique('signed'), { SignatureVersion: version });
        const start = endpoint.received.length;
        await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'http', Endpoint: `${endpoint.url}?signed-v${version}` }));
        const confirmation = JSON.parse((await endpoint.next(start + 1))[start]!.body);
        await sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: confirmation.Token }));
        await sns.send(new PublishCommand({ TopicArn: arn, Message: 'signed', Subject: 'hello' }));
        const notification = JSON.parse((await endpoint.next(start + 2))[start + 1]!.body);
        for (const m of [confirmation, notification]) {
          assert.equal(m.SignatureVersion, version);
          const res = await fetch(m.SigningCertURL);
          assert.equal(res.status, 200);
          const cert = new X509Certificate(await res.text());
          assert.ok(cert.verify(cert.publicKey));
          const digest = version === '2' ? 'sha256' : 'sha1';
          const signature = Buffer.from(m.Signature, 'base64');
          assert.ok(verify(digest, Buffer.from(canonical(m)), cert.publicKey, signature), `${m.Type} v${version} verifies`);
          assert.ok(!verify(digest, Buffer.from(canonical({ ...m, Message: 'forged' })), cert.publicKey, signature), 'a changed message does not');
        }
      }
    });

    it('visiting the SubscribeURL confirms without a signature', async () => {
      const arn = await topic();
      const before = endpoint.received.length;
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'http', Endpoint: endpoint.url + '?second' }));
      const body = JSON.parse((await endpoint.next(before + 1))[before]!.body);
      const res = await fetch(body.SubscribeURL);
      const xml = await res.text();
      assert.equal(res.status, 200, xml);
      assert.match(xml, /<ConfirmSubscriptionResult><SubscriptionArn>arn:aws:sns:/);
      const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }));
      assert.match(listed.Subscriptions![0]!.SubscriptionArn!, /^arn:aws:sns:/);
    });

    it('a failed HTTP delivery is retried on the clock, then goes to the subscription dead-letter queue', async () => {
      const arn = await topic();
      const dlq = await queue();
      const sub = await sns.send(new SubscribeCommand({
        TopicArn: arn, Protocol: 'http', Endpoint: endpoint.url + '?flaky', ReturnSubscriptionArn: true,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) },
      }));
      const start = endpoint.received.length;
      const token = JSON.parse((await endpoint.next(start + 1))[start]!.body).Token;
      await sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: token }));
      assert.ok(sub.SubscriptionArn!.startsWith(arn));
      endpoint.respond = () => 500;
      try {
        await sns.send(new PublishCommand({ TopicArn: arn, Message: 'retry me' }));
        await endpoint.next(start + 2);
        for (let attempt = 1; attempt <= 3; attempt++) {
          await advance(nimbus, '20s');
          await endpoint.next(start + 2 + attempt);
        }
        const dead = await receive(dlq.url);
        assert.equal(JSON.parse(dead[0]!.Body!).Message, 'retry me');
      } finally {
        endpoint.respond = () => 200;
      }
    });

    it('email subscriptions confirm through the outbox, which then holds each notification', async () => {
      const arn = await topic();
      const address = `${unique('user')}@example.com`;
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'email', Endpoint: address }));
      const [request] = await outbox(address);
      assert.equal(request.subject, 'AWS Notification - Subscription Confirmation');
      const token = /Token=([0-9a-f]+)/.exec(request.message)![1]!;
      await sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: token }));
      await sns.send(new PublishCommand({ TopicArn: arn, Message: 'Your order shipped', Subject: 'Order' }));
      const messages = await outbox(address);
      assert.equal(messages.length, 2);
      assert.equal(messages[1].message, 'Your order shipped');
      assert.equal(messages[1].subject, 'Order');
    });

    it('Publish to a phone number lands in the outbox as an SMS', async () => {
      await sns.send(new PublishCommand({ PhoneNumber: '+15555550100', Message: 'code 1234' }));
      const [sms] = await outbox('+15555550100');
      assert.equal(sms.protocol, 'sms');
      assert.equal(sms.message, 'code 1234');
    });

    it('Subscribe refuses unknown protocols and mismatched endpoints; Unsubscribe removes the subscription', async () => {
      const arn = await topic();
      assert.equal((await rejects(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'carrier-pigeon', Endpoint: 'x' })))).name, 'InvalidParameterException');
      assert.equal((await rejects(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'https', Endpoint: 'http://x' })))).name, 'InvalidParameterException');
      assert.equal((await rejects(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: 'not-an-arn' })))).name, 'InvalidParameterException');
      const q = await queue();
      const sub = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: q.arn }));
      const again = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: q.arn }));
      assert.equal(again.SubscriptionArn, sub.SubscriptionArn);
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn }));
      const gone = await rejects(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn })));
      assert.equal(gone.name, 'NotFoundException');
      assert.equal((await rejects(sns.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn })))).name, 'NotFoundException');
    });
  });

  describe('SMS', () => {
    it('SMS attributes are kept per account and region; unknown names and bad values are refused', async () => {
      await sns.send(new SetSMSAttributesCommand({ attributes: { DefaultSMSType: 'Transactional', MonthlySpendLimit: '5' } }));
      const got = await sns.send(new GetSMSAttributesCommand({ attributes: ['DefaultSMSType'] }));
      assert.deepEqual(got.attributes, { DefaultSMSType: 'Transactional' });
      assert.equal((await rejects(sns.send(new SetSMSAttributesCommand({ attributes: { DefaultSMSType: 'Loud' } })))).name, 'InvalidParameterException');
      assert.equal((await rejects(sns.send(new SetSMSAttributesCommand({ attributes: { Colour: 'red' } })))).name, 'InvalidParameterException');
    });

    it('a number whose owner replied STOP gets no SMS until it is opted in again', async () => {
      const phone = `+1444${String(process.pid).padStart(7, '0').slice(-7)}`;
      assert.equal((await sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: phone }))).isOptedOut, false);
      const res = await fetch(`${nimbus.endpoint}/_nimbus/sns/opt-out?phoneNumber=${encodeURIComponent(phone)}`, { method: 'POST' });
      assert.equal(res.status, 200);
      assert.equal((await sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: phone }))).isOptedOut, true);
      assert.ok((await sns.send(new ListPhoneNumbersOptedOutCommand({}))).phoneNumbers!.includes(phone));
      await sns.send(new PublishCommand({ PhoneNumber: phone, Message: 'dropped' }));
      assert.deepEqual(await outbox(phone), []);
      await sns.send(new OptInPhoneNumberCommand({ phoneNumber: phone }));
      await sns.send(new PublishCommand({ PhoneNumber: phone, Message: 'delivered' }));
      assert.deepEqual((await outbox(phone)).map((m) => m.message), ['delivered']);
      assert.equal((await rejects(sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: 'call me' })))).name, 'InvalidParameterException');
    });

    it('a sandbox phone number is verified with the one-time password sent to it', async () => {
      const phone = `+1555${String(process.pid).padStart(7, '0').slice(-7)}`;
      assert.equal((await sns.send(new GetSMSSandboxAccountStatusCommand({}))).IsInSandbox, false);
      assert.deepEqual((await sns.send(new ListOriginationNumbersCommand({}))).PhoneNumbers, []);
      await sns.send(new CreateSMSSandboxPhoneNumberCommand({ PhoneNumber: phone }));
      const otp = /(\d{6})$/.exec((await outbox(phone)).at(-1).message)![1]!;
      const wrong = await rejects(sns.send(new VerifySMSSandboxPhoneNumberCommand({ PhoneNumber: phone, OneTimePassword: otp === '000000' ? '111111' : '000000' })));
      assert.equal(wrong.name, 'VerificationException');
      await sns.send(new VerifySMSSandboxPhoneNumberCommand({ PhoneNumber: phone, OneTimePassword: otp }));
      const listed = await sns.send(new ListSMSSandboxPhoneNumbersCommand({}));
      assert.deepEqual(listed.PhoneNumbers!.find((p) => p.PhoneNumber === phone), { PhoneNumber: phone, Status: 'Verified' });
      await sns.send(new DeleteSMSSandboxPhoneNumberCommand({ PhoneNumber: phone }));
      assert.equal((await rejects(sns.send(new DeleteSMSSandboxPhoneNumberCommand({ PhoneNumber: phone })))).name, 'ResourceNotFoundException');
    });
  });

  describe('mobile push', () => {
    it('platform endpoints receive direct and topic messages in the outbox; disabled endpoints refuse them', async () => {
      const app = await sns.send(new CreatePlatformApplicationCommand({ Name: unique('app'), Platform: 'GCM', Attributes: { PlatformCredential: 'server-key' } }));
      assert.match(app.PlatformApplicationArn!, /:app\/GCM\//);
      assert.equal((await sns.send(new GetPlatformApplicationAttributesCommand({ PlatformApplicationArn: app.PlatformApplicationArn }))).Attributes!['PlatformCredential'], undefined);
      const token = unique('device-token');
      const { EndpointArn } = await sns.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn: app.PlatformApplicationArn, Token: token, CustomUserData: 'alice' }));
      assert.equal((await sns.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn: app.PlatformApplicationArn, Token: token, CustomUserData: 'alice' }))).EndpointArn, EndpointArn);
      const clash = await rejects(sns.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn: app.PlatformApplicationArn, Token: token, CustomUserData: 'bob' })));
      assert.equal(clash.name, 'InvalidParameterException');
      await sns.send(new PublishCommand({ TargetArn: EndpointArn, MessageStructure: 'json', Message: JSON.stringify({ default: 'plain', GCM: '{"notification":{"title":"hi"}}' }) }));
      const arn = await topic();
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'application', Endpoint: EndpointArn }));
      await sns.send(new PublishCommand({ TopicArn: arn, Message: 'to every device' }));
      assert.deepEqual((await outbox(EndpointArn!)).map((m) => m.message), ['{"notification":{"title":"hi"}}', 'to every device']);
      await sns.send(new SetEndpointAttributesCommand({ EndpointArn, Attributes: { Enabled: 'false' } }));
      assert.equal((await sns.send(new GetEndpointAttributesCommand({ EndpointArn }))).Attributes!['Enabled'], 'false');
      const disabled = await rejects(sns.send(new PublishCommand({ TargetArn: EndpointArn, Message: 'x' })));
      assert.equal(disabled.name, 'EndpointDisabledException');
      const listed = await sns.send(new ListEndpointsByPlatformApplicationCommand({ PlatformApplicationArn: app.PlatformApplicationArn }));
      assert.deepEqual(listed.Endpoints!.map((e) => e.EndpointArn), [EndpointArn]);
      await sns.send(new DeletePlatformApplicationCommand({ PlatformApplicationArn: app.PlatformApplicationArn }));
      assert.equal((await rejects(sns.send(new GetEndpointAttributesCommand({ EndpointArn })))).name, 'NotFoundException');
    });
  });

  describe('filter policies', () => {
    const subscribe = async (arn: string, policy: object, scope?: string) => {
      const q = await queue();
      await sns.send(new SubscribeCommand({
        TopicArn: arn, Protocol: 'sqs', Endpoint: q.arn,
        Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify(policy), ...(scope ? { FilterPolicyScope: scope } : {}) },
      }));
      return q;
    };

    it('attribute policies deliver only the messages they match', async () => {
      const arn = await topic();
      const q = await subscribe(arn, {
        store: ['example_corp'], price: [{ numeric: ['>=', 100, '<', 200] }], event: [{ 'anything-but': ['order_cancelled'] }],
        customer: [{ prefix: 'vip-' }, { 'equals-ignore-case': 'BOSS' }], encrypted: [{ exists: false }],
      });
      const attrs = (over: Record<string, [string, string] | undefined>) => {
        const base: Record<string, [string, string] | undefined> = { store: ['String', 'example_corp'], price: ['Number', '150'], event: ['String', 'order_placed'], customer: ['String', 'vip-9'], ...over };
        return Object.fromEntries(Object.entries(base).filter(([, v]) => v).map(([k, v]) => [k, { DataType: v![0], StringValue: v![1] }]));
      };
      const cases: [string, Record<string, [string, string] | undefined>][] = [
        ['match', {}], ['match-boss', { customer: ['String', 'boss'] }],
        ['cheap', { price: ['Number', '99.5'] }], ['cancelled', { event: ['String', 'order_cancelled'] }],
        ['other-store', { store: ['String', 'other'] }], ['no-customer', { customer: undefined }], ['encrypted', { encrypted: ['String', 'yes'] }],
        ['price-as-string', { price: ['String', '150'] }],
      ];
      for (const [body, over] of cases) await sns.send(new PublishCommand({ TopicArn: arn, Message: body, MessageAttributes: attrs(over) }));
      assert.deepEqual((await bodies(q.url, 2)).sort(), ['match', 'match-boss']);
    });

    it('body policies match nested keys, arrays, suffixes and $or', async () => {
      const arn = await topic();
      const q = await subscribe(arn, { order: { status: ['shipped'], items: { sku: [{ suffix: '-XL' }] } }, $or: [{ region: ['eu'] }, { priority: [{ numeric: ['>', 5] }] }] }, 'MessageBody');
      const published = {
        match: { order: { status: 'shipped', items: [{ sku: 'A-S' }, { sku: 'B-XL' }] }, region: 'eu' },
        'match-priority': { order: { status: 'shipped', items: [{ sku: 'C-XL' }] }, priority: 9 },
        'wrong-size': { order: { status: 'shipped', items: [{ sku: 'A-S' }] }, region: 'eu' },
        'neither-or': { order: { status: 'shipped', items: [{ sku: 'B-XL' }] }, region: 'us', priority: 1 },
      };
      for (const [name, body] of Object.entries(published)) await sns.send(new PublishCommand({ TopicArn: arn, Message: JSON.stringify({ name, ...body }) }));
      await sns.send(new PublishCommand({ TopicArn: arn, Message: 'not json' }));
      assert.deepEqual((await bodies(q.url, 2)).map((b) => JSON.parse(b).name).sort(), ['match', 'match-priority']);
    });

    it('SetSubscriptionAttributes changes the policy and its scope for later messages', async () => {
      const arn = await topic();
      const q = await subscribe(arn, { kind: ['a'] });
      const sub = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }))).Subscriptions![0]!.SubscriptionArn!;
      await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub, AttributeName: 'FilterPolicyScope', AttributeValue: 'MessageBody' }));
      const attrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub }))).Attributes!;
      assert.equal(attrs['FilterPolicyScope'], 'MessageBody');
      assert.equal(attrs['RawMessageDelivery'], 'true');
      await sns.send(new PublishCommand({ TopicArn: arn, Message: JSON.stringify({ kind: 'b' }), MessageAttributes: { kind: { DataType: 'String', StringValue: 'a' } } }));
      await sns.send(new PublishCommand({ TopicArn: arn, Message: JSON.stringify({ kind: 'a' }) }));
      assert.deepEqual(await bodies(q.url, 1), [JSON.stringify({ kind: 'a' })]);
    });

    it('bad policies fail with AWS validation errors', async () => {
      const arn = await topic();
      const q = await queue();
      const bad = async (policy: string, scope?: string) => rejects(sns.send(new SubscribeCommand({
        TopicArn: arn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { FilterPolicy: policy, ...(scope ? { FilterPolicyScope: scope } : {}) },
      })));
      let err = await bad('{not json');
      assert.equal(err.name, 'InvalidParameterException');
      assert.equal(err.message, 'Invalid parameter: FilterPolicy: failed to parse JSON.');
      err = await bad(JSON.stringify({ a: [{ wildcard: 'x*' }] }));
      assert.match(err.message, /Unrecognized match type wildcard/);
      err = await bad(JSON.stringify({ a: [{ numeric: ['>', 'ten'] }] }));
      assert.match(err.message, /Value of > must be numeric/);
      err = await bad(JSON.stringify({ a: ['1'], b: ['1'], c: ['1'], d: ['1'], e: ['1'], f: ['1'] }));
      assert.match(err.message, /more than 5 keys/);
      err = await bad(JSON.stringify({ a: { b: ['1'] } }));
      assert.match(err.message, /does not support nested filter policy/);
      err = await bad(JSON.stringify({ a: ['x'] }), 'Everything');
      assert.equal(err.name, 'InvalidParameterException');
      const sub = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: q.arn }));
      const setBad = await rejects(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: '[]' })));
      assert.equal(setBad.name, 'InvalidParameterException');
    });
  });

  it('a message attribute sent with its name and without its value is refused as a member missing, not an InternalFailure', async () => {
    const topic = (await sns.send(new CreateTopicCommand({ Name: `half-${process.pid}` }))).TopicArn!;
    // The SDK writes whole entries: the form goes out as written.
    const half = new URLSearchParams({ Action: 'Publish', Version: '2010-03-31', TopicArn: topic, Message: 'hi', 'MessageAttributes.entry.1.Name': 'a' }).toString();
    const e = await rejects(sns.send(withBody(new PublishCommand({ TopicArn: topic, Message: 'hi' }), half)));
    assert.equal(e.$metadata.httpStatusCode, 400);
    assert.equal(e.message, "1 validation error detected: Value null at 'messageAttributes.a.member' failed to satisfy constraint: Member must not be null");
  });

  it('other services publish through the event bus: an S3 event notification reaches a subscribed queue', async () => {
    const arn = await topic();
    const q = await queue();
    await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: q.arn }));
    const s3 = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
    const bucket = unique('bucket');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketNotificationConfigurationCommand({
      Bucket: bucket, NotificationConfiguration: { TopicConfigurations: [{ TopicArn: arn, Events: ['s3:ObjectCreated:*'] }] },
    }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'hello.txt', Body: 'hi' }));
    const found: string[] = [];
    for (let i = 0; i < 3 && found.length === 0; i++) {
      for (const m of await receive(q.url)) {
        const env = JSON.parse(m.Body!);
        if (env.Subject === 'Amazon S3 Notification' && JSON.parse(env.Message).Records) found.push(JSON.parse(env.Message).Records[0].s3.object.key);
      }
    }
    assert.deepEqual(found, ['hello.txt']);
  });

  it('the AWS CLI creates a topic, subscribes a queue and publishes', async () => {
    const created = await aws(nimbus, ['sns', 'create-topic', '--name', unique('cli')]);
    assert.equal(created.code, 0, created.stderr);
    const q = await queue();
    const sub = await aws(nimbus, ['sns', 'subscribe', '--topic-arn', created.json.TopicArn, '--protocol', 'sqs', '--notification-endpoint', q.arn,
      '--attributes', 'RawMessageDelivery=true']);
    assert.equal(sub.code, 0, sub.stderr);
    const pub = await aws(nimbus, ['sns', 'publish', '--topic-arn', created.json.TopicArn, '--message', 'from the cli']);
    assert.match(pub.json.MessageId, /^[0-9a-f-]{36}$/);
    assert.equal((await receive(q.url))[0]!.Body, 'from the cli');
    const missing = await aws(nimbus, ['sns', 'get-topic-attributes', '--topic-arn', 'arn:aws:sns:us-east-1:000000000000:missing']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NotFound/);
  });
});

describe('SNS under IAM enforcement', () => {
  let nimbus: Nimbus;
  before(async () => {
    nimbus = await start({ enforceIam: true });
  });
  after(() => nimbus.stop());

  it('a topic policy statement lets a user of the account publish without an identity policy', async () => {
    const sns = new SNSClient(clientConfig(nimbus));
    const iam = new IAMClient(clientConfig(nimbus));
    const client = async (name: string) => {
      await iam.send(new CreateUserCommand({ UserName: name }));
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
      return new SNSClient(clientConfig(nimbus, { credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } }));
    };
    const arn = (await sns.send(new CreateTopicCommand({ Name: unique('guarded') }))).TopicArn!;
    const publisher = await client(unique('publisher'));
    const denied = await rejects(publisher.send(new PublishCommand({ TopicArn: arn, Message: 'x' })));
    assert.equal(denied.name, 'AuthorizationErrorException');
    assert.equal(denied.$metadata.httpStatusCode, 403);
    const policy = JSON.parse((await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!['Policy']!);
    policy.Statement.push({ Sid: 'publisher', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'SNS:Publish', Resource: arn });
    await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'Policy', AttributeValue: JSON.stringify(policy) }));
    assert.ok((await publisher.send(new PublishCommand({ TopicArn: arn, Message: 'granted' }))).MessageId);
  });

  it('a topic delivers into a queue only when the queue policy lets sns.amazonaws.com send for that topic; refused deliveries go to the subscription DLQ', async () => {
    const sns = new SNSClient(clientConfig(nimbus));
    const sqs = new SQSClient(clientConfig(nimbus));
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: unique('orders') }))).TopicArn!;
    const otherTopicArn = (await sns.send(new CreateTopicCommand({ Name: unique('other') }))).TopicArn!;
    /** A queue whose policy, if `sourceArn` is given, allows SNS to send for that topic only. */
    const queue = (sourceArn?: string) => queueAllowing(sqs, unique('q'), sourceArn ? { service: 'sns.amazonaws.com', sourceArn } : undefined);
    const receive = async (url: string, wait: number) =>
      (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: wait }))).Messages ?? [];
    const allowed = await queue(topicArn);
    const withoutPolicy = await queue();
    const forOtherTopic = await queue(otherTopicArn);
    const dlq = await queue(topicArn);
    const subscriptions = new Map<string, string>();
    for (const q of [allowed, withoutPolicy, forOtherTopic]) {
      const sub = await sns.send(new SubscribeCommand({
        TopicArn: topicArn, Protocol: 'sqs', Endpoint: q.arn, ReturnSubscriptionArn: true, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) },
      }));
      subscriptions.set(q.arn, sub.SubscriptionArn!);
    }
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'policy-checked' }));

    const delivered = await receive(allowed.url, 5);
    assert.deepEqual(delivered.map((m) => JSON.parse(m.Body!).Message), ['policy-checked']);
    const dead: string[] = [];
    while (dead.length < 2) {
      const got = await receive(dlq.url, 5);
      assert.ok(got.length > 0, 'both refused deliveries reach the dead-letter queue');
      for (const m of got) dead.push(JSON.parse(m.Body!).UnsubscribeURL);
    }
    const unsubscribeUrl = (queueArn: string) => `${nimbus.endpoint}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscriptions.get(queueArn)!)}&Version=2010-03-31`;
    assert.deepEqual(dead.sort(), [unsubscribeUrl(withoutPolicy.arn), unsubscribeUrl(forOtherTopic.arn)].sort());
    assert.deepEqual(await receive(withoutPolicy.url, 0), []);
    assert.deepEqual(await receive(forOtherTopic.url, 0), []);
  });
});
