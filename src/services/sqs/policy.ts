import type { Operations } from '../../generated/types/sqs.js';
import type { Handlers } from '../service.js';
import { invalidValue } from './errors.js';
import { queueFromUrl } from './queue.js';
import { store } from './store.js';

interface PolicyDocument {
  Version: string;
  Id?: string;
  Statement: { Sid?: string }[];
}

/**
 * AddPermission and RemovePermission edit the queue's Policy attribute, one statement per label.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_AddPermission.html
 */
export const policyHandlers: Handlers<Operations> = {
  AddPermission(input, ctx) {
    const q = queueFromUrl(ctx, input.QueueUrl);
    const policy: PolicyDocument = q.attrs['Policy'] ? JSON.parse(q.attrs['Policy']) : { Version: '2012-10-17', Id: `${q.arn}/SQSDefaultPolicy`, Statement: [] };
    if (policy.Statement.some((st) => st.Sid === input.Label)) throw invalidValue('Label', input.Label, 'Already exists.');
    policy.Statement.push({
      Sid: input.Label,
      Effect: 'Allow',
      Principal: { AWS: input.AWSAccountIds.map((a) => `arn:aws:iam::${a}:root`) },
      Action: input.Actions.map((a) => `SQS:${a}`),
      Resource: q.arn,
    } as PolicyDocument['Statement'][number]);
    store(ctx).setAttributes(q.arn, { ...q.attrs, Policy: JSON.stringify(policy) }, ctx.clock.now());
  },

  RemovePermission(input, ctx) {
    const q = queueFromUrl(ctx, input.QueueUrl);
    const policy: PolicyDocument | undefined = q.attrs['Policy'] ? JSON.parse(q.attrs['Policy']) : undefined;
    if (!policy?.Statement.some((st) => st.Sid === input.Label)) throw invalidValue('Label', input.Label, "can't find label.");
    policy.Statement = policy.Statement.filter((st) => st.Sid !== input.Label);
    const attrs: Record<string, string> = { ...q.attrs, Policy: JSON.stringify(policy) };
    if (policy.Statement.length === 0) delete attrs['Policy'];
    store(ctx).setAttributes(q.arn, attrs, ctx.clock.now());
  },
};
