import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { config, measure, type Row } from './clients.js';
import { startNimbusProcess } from './core.js';
import { row, TABLE_HEAD } from './lib.js';

export async function iamBench(seconds: number): Promise<string[]> {
  const rows: Row[] = [];
  for (const enforce of [false, true]) {
    const nimbus = await startNimbusProcess(enforce ? ['--enforce-iam'] : []);
    const iam = new IAMClient(config(nimbus.port));
    await iam.send(new CreateUserCommand({ UserName: 'bench' }));
    for (let p = 0; p < 10; p++) {
      const Statement = Array.from({ length: 10 }, (_, s) => ({ Effect: 'Allow', Action: [`s3:Get${p}${s}*`, 'sts:GetCallerIdentity'], Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } }));
      const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: `p${p}`, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement }) }));
      await iam.send(new AttachUserPolicyCommand({ UserName: 'bench', PolicyArn: Policy!.Arn! }));
    }
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'bench' }));
    const sts = new STSClient(config(nimbus.port, { credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } }));
    for (const c of [1, 16]) {
      const r = await measure(nimbus, () => sts.send(new GetCallerIdentityCommand({})), c, seconds);
      rows.push([`GetCallerIdentity as an IAM user with 10 policies x 10 statements, enforcement ${enforce ? 'on' : 'off'}, c=${c}`, r,
        enforce ? rows.find(([n]) => n.endsWith(`enforcement off, c=${c}`))?.[1] : undefined]);
    }
    await nimbus.stop();
  }
  return ['## IAM enforcement cost', '', TABLE_HEAD.replace('vs bare', 'vs off'), ...rows.map(([n, r, b]) => row(n, r, b)), '',
    'Target: enforcement adds under 25% server CPU per request (ratio < 1.25).', ''];
}
