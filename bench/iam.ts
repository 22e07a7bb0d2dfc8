import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateQueueCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { config, measure, type Row } from './clients.js';
import { startNimbusProcess } from './core.js';
import { row, TABLE_HEAD } from './lib.js';

/**
 * The cost of enforcement: SQS GetQueueUrl (a cheap call that, unlike GetCallerIdentity, needs
 * a permission) signed by an IAM user with 10 attached policies of 10 statements each, with
 * enforcement off and on. Only the last statement allows the call, so every statement is read.
 */
export async function iamBench(seconds: number): Promise<string[]> {
  const rows: Row[] = [];
  for (const enforce of [false, true]) {
    const nimbus = await startNimbusProcess(enforce ? ['--enforce-iam'] : []);
    const iam = new IAMClient(config(nimbus.port));
    await new SQSClient(config(nimbus.port)).send(new CreateQueueCommand({ QueueName: 'bench' }));
    await iam.send(new CreateUserCommand({ UserName: 'bench' }));
    for (let p = 0; p < 10; p++) {
      const Statement = Array.from({ length: 10 }, (_, s) => ({
        Effect: 'Allow',
        Action: p === 9 && s === 9 ? ['sqs:GetQueueUrl'] : [`s3:Get${p}${s}*`, `dynamodb:Query${p}${s}`],
        Resource: p === 9 && s === 9 ? 'arn:aws:sqs:us-east-1:000000000000:bench*' : '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
      }));
      const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: `p${p}`, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement }) }));
      await iam.send(new AttachUserPolicyCommand({ UserName: 'bench', PolicyArn: Policy!.Arn! }));
    }
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'bench' }));
    const sqs = new SQSClient(config(nimbus.port, { credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } }));
    await sqs.send(new GetQueueUrlCommand({ QueueName: 'bench' }));
    for (const c of [1, 16]) {
      const r = await measure(nimbus, () => sqs.send(new GetQueueUrlCommand({ QueueName: 'bench' })), c, seconds);
      rows.push([`SQS GetQueueUrl as an IAM user with 10 policies x 10 statements, enforcement ${enforce ? 'on' : 'off'}, c=${c}`, r,
        enforce ? rows.find(([n]) => n.endsWith(`enforcement off, c=${c}`))?.[1] : undefined]);
    }
    await nimbus.stop();
  }
  return ['## IAM enforcement cost', '', TABLE_HEAD.replace('vs bare', 'vs off'), ...rows.map(([n, r, b]) => row(n, r, b)), '',
    'Target: enforcement adds under 25% server CPU per request (ratio < 1.25).', ''];
}
