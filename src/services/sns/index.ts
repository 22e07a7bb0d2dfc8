import type { Operations } from '../../generated/types/sns.js';
import { loadModel } from '../../protocols/model.js';
import { queryCodec } from '../../protocols/query.js';
import { validate } from '../../protocols/validate.js';
import type { Handler, ServiceDefinition } from '../service.js';
import { postToEndpoint, redrive, type FailedDelivery, type HttpDelivery } from './delivery.js';
import { outbox } from './outbox.js';
import { platformHandlers } from './platform.js';
import { publishEvent, publishHandlers, type PublishEvent } from './publish.js';
import { migrations } from './schema.js';
import { signer } from './signing.js';
import { optOut, smsHandlers } from './sms.js';
import { store } from './store.js';
import { subscriptionHandlers } from './subscriptions.js';
import { asTopic } from './topic.js';
import { topicHandlers } from './topics.js';

const handlers = { ...topicHandlers, ...subscriptionHandlers, ...publishHandlers, ...smsHandlers, ...platformHandlers };

/**
 * SNS: topics, subscriptions and fan-out. Folder `sns`, the model id. Other services publish
 * through the event bus as `sns:publish`. Deliveries leave through the bus too: to SQS as
 * `sqs:send`, to HTTP endpoints as `sns:http` (posted from here), to Lambda as `lambda:invoke`;
 * email and SMS land in the outbox at /_nimbus/sns/outbox.
 */
export const service: ServiceDefinition<Operations> = {
  migrations,
  handlers,
  // The SubscribeURL and UnsubscribeURL that subscribers receive are plain links, followed
  // without a signature, so they are answered before the pipeline asks for one.
  async intercept(req, ctx) {
    const action = req.query.get('Action');
    if (req.method !== 'GET' || (action !== 'ConfirmSubscription' && action !== 'Unsubscribe')) return undefined;
    const model = loadModel('sns');
    const op = model.operations.get(action)!;
    const input = Object.fromEntries(req.query);
    const violations = validate(model, op.input, input);
    if (violations.length > 0) throw queryCodec.validationError(violations);
    const output = await (handlers[action] as Handler)(input, { ...ctx, operation: action });
    return queryCodec.encode(model, op, output, ctx.requestId);
  },
  internalRoutes: { outbox, 'opt-out': optOut, 'signing-cert': (_req, env) => ({ status: 200, body: signer(env).certificate, contentType: 'application/x-pem-file' }) },
  // IAM enforcement reads a topic's policy (Publish from other accounts and services); a
  // subscription belongs to its topic's account.
  resourcePolicy(ctx, arn) {
    const s = store(ctx);
    const row = s.topic(arn);
    if (row) {
      const t = asTopic(row);
      return { account: t.account_id, tags: JSON.parse(t.tags) as Record<string, string>, ...(t.attrs['Policy'] ? { policy: t.attrs['Policy'] } : {}) };
    }
    const sub = s.subscription(arn);
    return sub && { account: sub.account_id };
  },
  events: {
    http: (payload: HttpDelivery, env) => postToEndpoint(env, payload),
    failed: (payload: FailedDelivery, env) => redrive(env, payload),
    publish: (payload: PublishEvent, env) => publishEvent(env, payload),
  },
};
