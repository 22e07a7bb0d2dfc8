import type { InternalRoute } from '../service.js';
import { store } from './store.js';

/**
 * GET /_nimbus/sns/outbox: what SNS "sent" to email, email-json and SMS endpoints (confirmation
 * requests included), oldest first; `?endpoint=` and `?protocol=` narrow it. DELETE empties it.
 */
export const outbox: InternalRoute = ({ method, query }, env) => {
  const s = store(env);
  if (method === 'DELETE') {
    s.clearOutbox();
    return { status: 200, body: { messages: [] } };
  }
  if (method !== 'GET') return { status: 405, body: { error: 'MethodNotAllowed', message: 'Use GET or DELETE.' } };
  const endpoint = query.get('endpoint');
  const protocol = query.get('protocol');
  const messages = s.outbox()
    .filter((m) => (!endpoint || m.endpoint === endpoint) && (!protocol || m.protocol === protocol))
    .map((m) => ({
      protocol: m.protocol, endpoint: m.endpoint, topicArn: m.topic_arn, subscriptionArn: m.subscription_arn, messageId: m.message_id,
      subject: m.subject, message: m.message, timestamp: new Date(m.sent_at).toISOString(), accountId: m.account_id, region: m.region,
    }));
  return { status: 200, body: { messages } };
};
