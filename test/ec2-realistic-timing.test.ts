import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AllocateAddressCommand, AttachVolumeCommand, CopySnapshotCommand, CreateNatGatewayCommand, CreateSnapshotCommand, CreateSubnetCommand, CreateVolumeCommand, CreateVpcCommand,
  DeleteNatGatewayCommand, DescribeImagesCommand, DescribeInstancesCommand, DescribeNatGatewaysCommand, DescribeSnapshotsCommand, DescribeVolumesCommand,
  EC2Client, RunInstancesCommand, StartInstancesCommand, StopInstancesCommand, TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start, startProcess } from './helpers.js';

/** Moves a Nimbus clock forward through its public route, as a learner or a test would. */
async function advance(endpoint: string, by: string): Promise<void> {
  const res = await fetch(`${endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) });
  assert.equal(res.status, 200);
}

const AL2023 = { Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023*-x86_64'] }] };

describe('EC2 with realistic timing', () => {
  let nimbus: Nimbus;
  let ec2: EC2Client;
  let ami: string;

  before(async () => {
    nimbus = await start({ realisticTiming: true });
    ec2 = new EC2Client(clientConfig(nimbus));
    ami = (await ec2.send(new DescribeImagesCommand(AL2023))).Images![0]!.ImageId!;
  });
  after(() => nimbus.stop());

  const stateOf = async (id: string) => (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!.State!.Name;

  it('an instance stays pending until about 15 s have passed on the Nimbus clock, then runs; stopping and shutting down take their time too', async () => {
    const id = (await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }))).Instances![0]!.InstanceId!;
    assert.equal(await stateOf(id), 'pending');
    assert.equal((await rejects(ec2.send(new StopInstancesCommand({ InstanceIds: [id] })))).name, 'IncorrectInstanceState', 'a pending instance cannot be stopped yet');
    await advance(nimbus.endpoint, '15s');
    assert.equal(await stateOf(id), 'running');
    await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    await advance(nimbus.endpoint, '10s');
    assert.equal(await stateOf(id), 'stopping');
    await advance(nimbus.endpoint, '20s');
    assert.equal(await stateOf(id), 'stopped');
    await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    assert.equal(await stateOf(id), 'pending');
    await advance(nimbus.endpoint, '15s');
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    assert.equal(await stateOf(id), 'shutting-down');
    await advance(nimbus.endpoint, '20s');
    assert.equal(await stateOf(id), 'terminated');
  });

  it('a volume is creating, then available; attaching, then in use; a snapshot is pending for a minute, then completed', async () => {
    const instance = (await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, Placement: { AvailabilityZone: 'us-east-1a' } }))).Instances![0]!.InstanceId!;
    await advance(nimbus.endpoint, '15s');
    const vol = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 10, VolumeType: 'gp3' }));
    const volume = async () => (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [vol.VolumeId!] }))).Volumes![0]!;
    assert.equal((await volume()).State, 'creating');
    const early = await rejects(ec2.send(new AttachVolumeCommand({ VolumeId: vol.VolumeId!, InstanceId: instance, Device: '/dev/sdf' })));
    assert.equal(early.name, 'IncorrectState');
    assert.match(early.message, new RegExp(`${vol.VolumeId} is not 'available'`));
    await advance(nimbus.endpoint, '8s');
    assert.equal((await volume()).State, 'available');
    await ec2.send(new AttachVolumeCommand({ VolumeId: vol.VolumeId!, InstanceId: instance, Device: '/dev/sdf' }));
    assert.equal((await volume()).Attachments![0]!.State, 'attaching');
    await advance(nimbus.endpoint, '8s');
    const attached = await volume();
    assert.deepEqual([attached.State, attached.Attachments![0]!.State], ['in-use', 'attached']);

    const snap = await ec2.send(new CreateSnapshotCommand({ VolumeId: vol.VolumeId! }));
    const snapState = async () => (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snap.SnapshotId!] }))).Snapshots![0]!.State;
    await advance(nimbus.endpoint, '30s');
    assert.equal(await snapState(), 'pending');
    const west = new EC2Client(clientConfig(nimbus, { region: 'us-west-2' }));
    const pendingCopy = await rejects(west.send(new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: snap.SnapshotId! })));
    assert.equal(pendingCopy.name, 'IncorrectState', 'only a completed snapshot can be copied');
    await advance(nimbus.endpoint, '30s');
    const copy = await west.send(new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: snap.SnapshotId! }));
    assert.equal((await west.send(new DescribeSnapshotsCommand({ SnapshotIds: [copy.SnapshotId!] }))).Snapshots![0]!.State, 'pending', 'the copy takes its own minute');
    assert.equal(await snapState(), 'completed');
  });

  it('a NAT gateway is pending for about a minute and a half, and deleting for a minute before it shows deleted', async () => {
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.1.0/24' }))).Subnet!.SubnetId!;
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const nat = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnet, AllocationId: eip.AllocationId! }))).NatGateway!.NatGatewayId!;
    const natState = async () => (await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [nat] }))).NatGateways![0]!.State;
    await advance(nimbus.endpoint, '60s');
    assert.equal(await natState(), 'pending');
    await advance(nimbus.endpoint, '30s');
    assert.equal(await natState(), 'available');
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: nat }));
    await advance(nimbus.endpoint, '30s');
    assert.equal(await natState(), 'deleting');
    await advance(nimbus.endpoint, '30s');
    assert.equal(await natState(), 'deleted');
  });
});

describe('nimbus start --realistic-timing', () => {
  it('serves instances that the CLI sees pending until the clock moves 15 s, when `aws ec2 wait instance-running` returns', async () => {
    const server = await startProcess(['--ephemeral', '--realistic-timing']);
    try {
      assert.match(server.banner, /listening on http:\/\/localhost:\d+[^\n]*\(realistic timing\)\nReady\.\n/);
      const endpoint = server.endpoint;
      const ami = (await new EC2Client({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
        .send(new DescribeImagesCommand(AL2023))).Images![0]!.ImageId!;
      const run = await aws(server, ['ec2', 'run-instances', '--image-id', ami, '--instance-type', 't3.micro', '--count', '1']);
      assert.equal(run.code, 0, run.stderr);
      const id = run.json.Instances[0].InstanceId as string;
      const described = await aws(server, ['ec2', 'describe-instances', '--instance-ids', id, '--query', 'Reservations[0].Instances[0].State.Name']);
      assert.equal(described.json, 'pending');
      await advance(endpoint, '15s');
      const wait = await aws(server, ['ec2', 'wait', 'instance-running', '--instance-ids', id]);
      assert.equal(wait.code, 0, wait.stderr);
    } finally {
      await server.stop();
    }
  });
});
