import type { NotificationConfiguration } from '../../generated/types/s3.js';
import type { RequestContext, ServiceEnv } from '../service.js';
import { getConfig } from './configs.js';
import type { Bucket } from './store.js';

/**
 * Event notifications: each object change that a bucket's notification configuration selects
 * (event name and key prefix/suffix filters) goes on the bus to the target's service, in S3's
 * event record format, so no service imports another.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 * Topics: `sqs:send` {queueArn, senderId, body}, `lambda:invoke` {functionArn, invocationType,
 * payload} and `sns:publish` {topicArn, subject, message}.
 */
/** The SenderId SQS shows for messages S3 sends. */
const S3_SENDER_ID = 'AIDAJQR6QDGQ7PATMSYEY';

interface Target {
  Events: string[];
  Filter?: { Key?: { FilterRules?: { Name?: string; Value?: string }[] } };
  Id?: string;
}

function selects(t: Target, event: string, key: string): boolean {
  const named = t.Events.some((e) => e === `s3:${event}` || (e.endsWith(':*') && `s3:${event}`.startsWith(e.slice(0, -1))));
  if (!named) return false;
  return (t.Filter?.Key?.FilterRules ?? []).every((r) => {
    const name = r.Name?.toLowerCase();
    if (name === 'prefix') return key.startsWith(r.Value ?? '');
    if (name === 'suffix') return key.endsWith(r.Value ?? '');
    return true;
  });
}

/** Who caused an event: a request's caller, or S3 itself for lifecycle actions. */
type Origin = ServiceEnv & Partial<Pick<RequestContext, 'caller' | 'requestId' | 'request'>>;

export function publishObjectEvent(ctx: Origin, bucket: Bucket, event: string, key: string, object: { size?: number; etag?: string; versionId?: string }): void {
  const config = getConfig<NotificationConfiguration>(ctx, bucket.name, 'notification');
  if (!config) return;
  const record = (configurationId: string | undefined) => ({
    Records: [{
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: bucket.region,
      eventTime: new Date(ctx.clock.now()).toISOString(),
      eventName: event,
      userIdentity: { principalId: ctx.caller?.userId ?? 'AmazonS3' },
      requestParameters: { sourceIPAddress: ctx.request?.remoteAddress ?? 's3.amazonaws.com' },
      responseElements: { 'x-amz-request-id': ctx.requestId ?? '', 'x-amz-id-2': ctx.requestId ?? '' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: configurationId ?? 'nimbus-notification',
        bucket: { name: bucket.name, ownerIdentity: { principalId: bucket.accountId }, arn: `arn:aws:s3:::${bucket.name}` },
        object: {
          // Keys in notifications are URL-encoded with `+` for spaces, as S3 writes them.
          key: encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/'),
          ...(object.size !== undefined ? { size: object.size } : {}),
          ...(object.etag !== undefined ? { eTag: object.etag } : {}),
          ...(object.versionId !== undefined && object.versionId !== 'null' ? { versionId: object.versionId } : {}),
          sequencer: ctx.clock.now().toString(16).toUpperCase().padStart(16, '0'),
        },
      },
    }],
  });
  for (const q of config.QueueConfigurations ?? []) {
    if (selects(q as Target, event, key)) ctx.bus.publish('sqs:send', { queueArn: q.QueueArn, senderId: S3_SENDER_ID, body: JSON.stringify(record(q.Id)), sentBy: sentBy(bucket.name, bucket.accountId) });
  }
  for (const t of config.TopicConfigurations ?? []) {
    if (selects(t as Target, event, key)) ctx.bus.publish('sns:publish', { topicArn: t.TopicArn, subject: 'Amazon S3 Notification', message: JSON.stringify(record(t.Id)) });
  }
  for (const f of config.LambdaFunctionConfigurations ?? []) {
    if (selects(f as Target, event, key)) ctx.bus.publish('lambda:invoke', { functionArn: f.LambdaFunctionArn, invocationType: 'Event', payload: record(f.Id) });
  }
}

/**
 * Configuring a queue target sends it `s3:TestEvent`, as S3 does to show the queue is reachable.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
export function publishTestEvents(ctx: RequestContext, bucket: string, config: NotificationConfiguration): void {
  const body = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date(ctx.clock.now()).toISOString(), Bucket: bucket, RequestId: ctx.requestId, HostId: ctx.requestId });
  for (const q of config.QueueConfigurations ?? []) ctx.bus.publish('sqs:send', { queueArn: q.QueueArn, senderId: S3_SENDER_ID, body, sentBy: sentBy(bucket, ctx.accountId) });
}

/** S3 sends for the bucket: under IAM enforcement the queue's policy must allow s3.amazonaws.com (aws:SourceArn, aws:SourceAccount). */
function sentBy(bucket: string, account: string) {
  return { service: 's3.amazonaws.com', sourceArn: `arn:aws:s3:::${bucket}`, sourceAccount: account };
}
