import assert from 'node:assert/strict';
import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  AllocateAddressCommand, AssociateAddressCommand, AttachVolumeCommand, CopySnapshotCommand, CreateImageCommand, CreateKeyPairCommand,
  CreateSnapshotCommand, CreateTagsCommand, CreateVolumeCommand, DeleteKeyPairCommand, DeleteTagsCommand, DeleteVolumeCommand,
  DescribeAddressesCommand, DescribeAvailabilityZonesCommand, DescribeImagesCommand, DescribeInstanceStatusCommand, DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand, DescribeInstancesCommand, DescribeKeyPairsCommand, DescribeRegionsCommand, DescribeSnapshotsCommand, DescribeTagsCommand,
  DescribeVolumesCommand, DetachVolumeCommand, DisassociateAddressCommand, EC2Client, ImportKeyPairCommand, ModifyImageAttributeCommand, ModifyVolumeCommand,
  RebootInstancesCommand, ReleaseAddressCommand, ModifyInstanceAttributeCommand, DescribeInstanceAttributeCommand, DescribeInstanceCreditSpecificationsCommand, CopyImageCommand,
  RegisterImageCommand, DeregisterImageCommand, DescribeImageAttributeCommand, RunInstancesCommand, StartInstancesCommand, StopInstancesCommand, TerminateInstancesCommand,
  AssociateIamInstanceProfileCommand, DescribeIamInstanceProfileAssociationsCommand, DisassociateIamInstanceProfileCommand, ReplaceIamInstanceProfileAssociationCommand,
  ModifyInstanceMetadataOptionsCommand, MonitorInstancesCommand, DescribeVolumesModificationsCommand,
} from '@aws-sdk/client-ec2';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

/** Each test that counts per-region resources (addresses, VPCs) runs as its own account, selected by a 12-digit access key. */
let accounts = 100000000000;

describe('EC2 compute', () => {
  let nimbus: Nimbus;
  let ec2: EC2Client;
  let ami: string;
  const fresh = (region = 'us-east-1') => new EC2Client(clientConfig(nimbus, { region, credentials: { accessKeyId: String(++accounts), secretAccessKey: 'x' } }));
  const run = async (client: EC2Client, extra: Record<string, unknown> = {}) =>
    (await client.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, ...extra }))).Instances!;

  before(async () => {
    nimbus = await start();
    ec2 = new EC2Client(clientConfig(nimbus));
    const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023*-x86_64'] }] }));
    ami = images.Images![0]!.ImageId!;
  });
  after(() => nimbus.stop());

  describe('regions and zones', () => {
    it('DescribeAvailabilityZones names ap-northeast-2 zones and zone ids as AWS does', async () => {
      const seoul = new EC2Client(clientConfig(nimbus, { region: 'ap-northeast-2' }));
      const r = await seoul.send(new DescribeAvailabilityZonesCommand({}));
      assert.deepEqual(r.AvailabilityZones!.map((z) => [z.ZoneName, z.ZoneId, z.State]), [
        ['ap-northeast-2a', 'apne2-az1', 'available'], ['ap-northeast-2b', 'apne2-az2', 'available'],
        ['ap-northeast-2c', 'apne2-az3', 'available'], ['ap-northeast-2d', 'apne2-az4', 'available'],
      ]);
    });

    it('DescribeRegions hides opt-in regions unless AllRegions, and filters by name', async () => {
      const enabled = await ec2.send(new DescribeRegionsCommand({}));
      assert.ok(enabled.Regions!.some((r) => r.RegionName === 'eu-west-1' && r.Endpoint === 'ec2.eu-west-1.amazonaws.com'));
      assert.ok(!enabled.Regions!.some((r) => r.RegionName === 'af-south-1'));
      const every = await ec2.send(new DescribeRegionsCommand({ AllRegions: true, Filters: [{ Name: 'region-name', Values: ['af-*'] }] }));
      assert.deepEqual(every.Regions!.map((r) => [r.RegionName, r.OptInStatus]), [['af-south-1', 'not-opted-in']]);
    });

    it('an unknown filter name is InvalidParameterValue', async () => {
      const err = await rejects(ec2.send(new DescribeRegionsCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] })));
      assert.equal(err.name, 'InvalidParameterValue');
      assert.equal(err.$metadata.httpStatusCode, 400);
    });
  });

  describe('instance types and images', () => {
    it('DescribeInstanceTypes gives real facts: m6i.large has 2 vCPUs, 8 GiB, x86_64; t4g.micro is arm64 and burstable', async () => {
      const r = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['m6i.large', 't4g.micro'] }));
      const m6i = r.InstanceTypes!.find((t) => t.InstanceType === 'm6i.large')!;
      assert.equal(m6i.VCpuInfo!.DefaultVCpus, 2);
      assert.equal(m6i.MemoryInfo!.SizeInMiB, 8192);
      assert.deepEqual(m6i.ProcessorInfo!.SupportedArchitectures, ['x86_64']);
      assert.equal(m6i.NetworkInfo!.NetworkPerformance, 'Up to 12.5 Gigabit');
      const t4g = r.InstanceTypes!.find((t) => t.InstanceType === 't4g.micro')!;
      assert.deepEqual(t4g.ProcessorInfo!.SupportedArchitectures, ['arm64']);
      assert.equal(t4g.BurstablePerformanceSupported, true);
    });

    it('DescribeInstanceTypes filters by vCPUs and architecture and pages with NextToken', async () => {
      const filters = [{ Name: 'vcpu-info.default-vcpus', Values: ['2'] }, { Name: 'processor-info.supported-architecture', Values: ['arm64'] }];
      const first = await ec2.send(new DescribeInstanceTypesCommand({ Filters: filters, MaxResults: 5 }));
      assert.equal(first.InstanceTypes!.length, 5);
      assert.ok(first.NextToken);
      const rest = await ec2.send(new DescribeInstanceTypesCommand({ Filters: filters, MaxResults: 100, NextToken: first.NextToken }));
      const all = [...first.InstanceTypes!, ...rest.InstanceTypes!].map((t) => t.InstanceType);
      assert.ok(all.includes('t4g.nano') && all.includes('c7g.large') && all.includes('r7g.large'));
      assert.equal(new Set(all).size, all.length);
    });

    it('an instance type that does not exist is InvalidParameterValue', async () => {
      const err = await rejects(ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['m9.huge' as never] })));
      assert.equal(err.name, 'InvalidParameterValue');
    });

    it('DescribeInstanceTypeOfferings lists types per availability zone', async () => {
      const r = await ec2.send(new DescribeInstanceTypeOfferingsCommand({ LocationType: 'availability-zone', Filters: [{ Name: 'instance-type', Values: ['t3.micro'] }] }));
      assert.deepEqual(r.InstanceTypeOfferings!.map((o) => o.Location), ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f']);
    });

    it('DescribeImages finds public AMIs by owner alias and name; Canonical owns Ubuntu', async () => {
      const ubuntu = await ec2.send(new DescribeImagesCommand({ Owners: ['099720109477'], Filters: [{ Name: 'name', Values: ['ubuntu/images/*noble-24.04-amd64*'] }] }));
      assert.equal(ubuntu.Images!.length, 1);
      assert.equal(ubuntu.Images![0]!.Architecture, 'x86_64');
      assert.equal(ubuntu.Images![0]!.RootDeviceName, '/dev/sda1');
      const windows = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'platform', Values: ['windows'] }] }));
      assert.ok(windows.Images!.length >= 2);
      assert.ok(windows.Images!.every((i) => i.PlatformDetails === 'Windows'));
    });

    it('an AMI id that does not exist is InvalidAMIID.NotFound; a malformed one is InvalidAMIID.Malformed', async () => {
      const missing = await rejects(ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-0123456789abcdef0'] })));
      assert.equal(missing.name, 'InvalidAMIID.NotFound');
      const malformed = await rejects(ec2.send(new DescribeImagesCommand({ ImageIds: ['my-image'] })));
      assert.equal(malformed.name, 'InvalidAMIID.Malformed');
    });
  });

  describe('key pairs', () => {
    it('CreateKeyPair returns a real RSA private key whose fingerprint is the SHA-1 of its PKCS#8 form', async () => {
      const r = await ec2.send(new CreateKeyPairCommand({ KeyName: 'rsa-key-1' }));
      assert.match(r.KeyMaterial!, /^-----BEGIN RSA PRIVATE KEY-----/);
      const der = createPrivateKey(r.KeyMaterial!).export({ type: 'pkcs8', format: 'der' });
      assert.equal(r.KeyFingerprint, createHash('sha1').update(der).digest('hex').match(/../g)!.join(':'));
      assert.match(r.KeyPairId!, /^key-[0-9a-f]{17}$/);
    });

    it('an ED25519 key comes in OpenSSH format, and as a .ppk on request', async () => {
      const pem = await ec2.send(new CreateKeyPairCommand({ KeyName: 'ed-key-1', KeyType: 'ed25519' }));
      assert.match(pem.KeyMaterial!, /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
      assert.match(pem.KeyFingerprint!, /^[A-Za-z0-9+/]{43}=$/);
      const ppk = await ec2.send(new CreateKeyPairCommand({ KeyName: 'ed-key-2', KeyType: 'ed25519', KeyFormat: 'ppk' }));
      assert.match(ppk.KeyMaterial!, /^PuTTY-User-Key-File-2: ssh-ed25519\r\nEncryption: none\r\n/);
    });

    it('ImportKeyPair of an OpenSSH RSA key shows the MD5 fingerprint of its public key, and Describe lists it', async () => {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const jwk = publicKey.export({ format: 'jwk' });
      const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0]).fill(0).map((_, i) => (b.length >> (24 - 8 * i)) & 255), b]);
      const mp = (s: string) => { let b = Buffer.from(s, 'base64url'); if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]); return str(b); };
      const blob = Buffer.concat([str(Buffer.from('ssh-rsa')), mp(jwk.e!), mp(jwk.n!)]);
      const openssh = `ssh-rsa ${blob.toString('base64')} me@laptop`;
      const r = await ec2.send(new ImportKeyPairCommand({ KeyName: 'imported-1', PublicKeyMaterial: Buffer.from(openssh) }));
      const md5 = createHash('md5').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').match(/../g)!.join(':');
      assert.equal(r.KeyFingerprint, md5);
      const d = await ec2.send(new DescribeKeyPairsCommand({ KeyNames: ['imported-1'], IncludePublicKey: true }));
      assert.equal(d.KeyPairs![0]!.KeyType, 'rsa');
      assert.match(d.KeyPairs![0]!.PublicKey!, /^ssh-rsa AAAA/);
    });

    it('a duplicate name is InvalidKeyPair.Duplicate, garbage is InvalidKey.Format, a missing key is InvalidKeyPair.NotFound', async () => {
      await ec2.send(new CreateKeyPairCommand({ KeyName: 'dup-key' }));
      assert.equal((await rejects(ec2.send(new CreateKeyPairCommand({ KeyName: 'dup-key' })))).name, 'InvalidKeyPair.Duplicate');
      assert.equal((await rejects(ec2.send(new ImportKeyPairCommand({ KeyName: 'bad', PublicKeyMaterial: Buffer.from('not a key') })))).name, 'InvalidKey.Format');
      await ec2.send(new DeleteKeyPairCommand({ KeyName: 'dup-key' }));
      assert.equal((await rejects(ec2.send(new DescribeKeyPairsCommand({ KeyNames: ['dup-key'] })))).name, 'InvalidKeyPair.NotFound');
    });
  });

  describe('instances', () => {
    it('RunInstances answers pending; the next DescribeInstances shows running with a private IP from the default subnet and a public IP', async () => {
      await ec2.send(new CreateKeyPairCommand({ KeyName: 'web-key' }));
      const [launched] = await run(ec2, { KeyName: 'web-key', TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'web-1' }] }] });
      assert.equal(launched!.State!.Name, 'pending');
      assert.equal(launched!.State!.Code, 0);
      const d = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [launched!.InstanceId!] }));
      const i = d.Reservations![0]!.Instances![0]!;
      assert.equal(i.State!.Name, 'running');
      assert.equal(i.State!.Code, 16);
      assert.match(i.PrivateIpAddress!, /^172\.31\.\d+\.\d+$/);
      assert.ok(i.PublicIpAddress);
      assert.equal(i.KeyName, 'web-key');
      assert.deepEqual(i.Tags, [{ Key: 'Name', Value: 'web-1' }]);
      assert.equal(i.SecurityGroups![0]!.GroupName, 'default');
      assert.equal(i.BlockDeviceMappings![0]!.DeviceName, '/dev/xvda');
    });

    it('aws ec2 wait instance-running returns at once, and stop/start/terminate follow the lifecycle', async () => {
      const [i] = await run(ec2);
      const id = i!.InstanceId!;
      const waited = await aws(nimbus, ['ec2', 'wait', 'instance-running', '--instance-ids', id]);
      assert.equal(waited.code, 0, waited.stderr);
      const stop = await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
      assert.deepEqual([stop.StoppingInstances![0]!.PreviousState!.Name, stop.StoppingInstances![0]!.CurrentState!.Name], ['running', 'stopping']);
      const stopped = await aws(nimbus, ['ec2', 'wait', 'instance-stopped', '--instance-ids', id]);
      assert.equal(stopped.code, 0, stopped.stderr);
      const d = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
      const s = d.Reservations![0]!.Instances![0]!;
      assert.equal(s.PublicIpAddress, undefined, 'a stopped instance gives its public IP back');
      assert.match(s.StateTransitionReason!, /^User initiated \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\)$/);
      assert.equal(s.StateReason!.Code, 'Client.UserInitiatedShutdown');
      const startR = await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
      assert.equal(startR.StartingInstances![0]!.CurrentState!.Name, 'pending');
      const term = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
      assert.equal(term.TerminatingInstances![0]!.CurrentState!.Name, 'shutting-down');
      const terminated = await aws(nimbus, ['ec2', 'wait', 'instance-terminated', '--instance-ids', id]);
      assert.equal(terminated.code, 0, terminated.stderr);
    });

    it('terminated instances stay visible for about an hour on the Nimbus clock, then are gone', async () => {
      const client = fresh();
      const [i] = await run(client);
      await client.send(new TerminateInstancesCommand({ InstanceIds: [i!.InstanceId!] }));
      const soon = await client.send(new DescribeInstancesCommand({}));
      assert.equal(soon.Reservations![0]!.Instances![0]!.State!.Name, 'terminated');
      await fetch(`${nimbus.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '61m' }) });
      const later = await client.send(new DescribeInstancesCommand({}));
      assert.deepEqual(later.Reservations, []);
    });

    it('stopping a terminated instance is IncorrectInstanceState; an unknown id is InvalidInstanceID.NotFound', async () => {
      const [i] = await run(ec2);
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: [i!.InstanceId!] }));
      const err = await rejects(ec2.send(new StopInstancesCommand({ InstanceIds: [i!.InstanceId!] })));
      assert.equal(err.name, 'IncorrectInstanceState');
      assert.equal(err.$metadata.httpStatusCode, 400);
      const reboot = await rejects(ec2.send(new RebootInstancesCommand({ InstanceIds: [i!.InstanceId!] })));
      assert.equal(reboot.name, 'IncorrectInstanceState');
      const missing = await rejects(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })));
      assert.equal(missing.name, 'InvalidInstanceID.NotFound');
      assert.match(missing.message, /The instance ID 'i-0123456789abcdef0' does not exist/);
    });

    it('--dry-run answers DryRunOperation (412) and launches nothing', async () => {
      const client = fresh();
      const err = await rejects(run(client, { DryRun: true }));
      assert.equal(err.name, 'DryRunOperation');
      assert.equal(err.$metadata.httpStatusCode, 412);
      assert.deepEqual((await client.send(new DescribeInstancesCommand({}))).Reservations, []);
    });

    it('termination protection refuses TerminateInstances with OperationNotPermitted', async () => {
      const [i] = await run(ec2, { DisableApiTermination: true });
      const err = await rejects(ec2.send(new TerminateInstancesCommand({ InstanceIds: [i!.InstanceId!] })));
      assert.equal(err.name, 'OperationNotPermitted');
    });

    it('instance attributes: protection can be lifted, the type changes only while stopped', async () => {
      const [i] = await run(ec2, { DisableApiTermination: true });
      const id = i!.InstanceId!;
      assert.equal((await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'disableApiTermination' }))).DisableApiTermination!.Value, true);
      const running = await rejects(ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: 't3.large' } })));
      assert.equal(running.name, 'IncorrectInstanceState');
      await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
      await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
      await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: 't3.large' } }));
      assert.equal((await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'instanceType' }))).InstanceType!.Value, 't3.large');
      await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiTermination: { Value: false } }));
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    });

    it('burstable instances report CPU credits: t2 standard, t3 unlimited unless asked; others have none', async () => {
      const client = fresh();
      const [t2] = await run(client, { InstanceType: 't2.micro' });
      const [t3] = await run(client, { InstanceType: 't3.micro', CreditSpecification: { CpuCredits: 'standard' } });
      await run(client, { InstanceType: 'm5.large' });
      const r = await client.send(new DescribeInstanceCreditSpecificationsCommand({}));
      assert.deepEqual(r.InstanceCreditSpecifications!.map((s) => [s.InstanceId, s.CpuCredits]), [[t2!.InstanceId, 'standard'], [t3!.InstanceId, 'standard']]);
    });

    it('RunInstances rejects an unknown AMI, a mismatched architecture and a missing key pair', async () => {
      assert.equal((await rejects(run(ec2, { ImageId: 'ami-0000000000000000f' }))).name, 'InvalidAMIID.NotFound');
      assert.equal((await rejects(run(ec2, { InstanceType: 't4g.micro' }))).name, 'InvalidParameterValue');
      assert.equal((await rejects(run(ec2, { KeyName: 'nobody' }))).name, 'InvalidKeyPair.NotFound');
    });

    it('MinCount/MaxCount launch several in one reservation; a client token makes the call idempotent', async () => {
      const client = fresh();
      const r = await client.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.nano', MinCount: 3, MaxCount: 3, ClientToken: 'batch-1' }));
      assert.deepEqual(r.Instances!.map((i) => i.AmiLaunchIndex), [0, 1, 2]);
      const again = await client.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.nano', MinCount: 3, MaxCount: 3, ClientToken: 'batch-1' }));
      assert.equal(again.ReservationId, r.ReservationId);
      const d = await client.send(new DescribeInstancesCommand({}));
      assert.equal(d.Reservations!.flatMap((x) => x.Instances!).length, 3);
    });

    it('DescribeInstances filters by state, tag and type, and pages with MaxResults', async () => {
      const client = fresh();
      const tag = (v: string) => ({ TagSpecifications: [{ ResourceType: 'instance' as const, Tags: [{ Key: 'team', Value: v }] }] });
      await run(client, { ...tag('blue'), MinCount: 3, MaxCount: 3 });
      const [red] = await run(client, { ...tag('red'), InstanceType: 't3.small' });
      await client.send(new StopInstancesCommand({ InstanceIds: [red!.InstanceId!] }));
      const blue = await client.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:team', Values: ['blue'] }, { Name: 'instance-state-name', Values: ['running'] }] }));
      assert.equal(blue.Reservations!.flatMap((r) => r.Instances!).length, 3);
      const small = await client.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-type', Values: ['t3.s*'] }] }));
      assert.equal(small.Reservations![0]!.Instances![0]!.State!.Name, 'stopped');
      const page1 = await client.send(new DescribeInstancesCommand({ MaxResults: 5, Filters: [{ Name: 'tag-key', Values: ['team'] }] }));
      assert.ok(!page1.NextToken);
      const p1 = await client.send(new DescribeInstancesCommand({ MaxResults: 5 }));
      const all = p1.Reservations!.flatMap((r) => r.Instances!);
      assert.equal(all.length, 4);
      const err = await rejects(client.send(new DescribeInstancesCommand({ MaxResults: 5, InstanceIds: [red!.InstanceId!] })));
      assert.equal(err.name, 'InvalidParameterCombination');
    });

    it('DescribeInstanceStatus reports running instances as ok, the others only with IncludeAllInstances', async () => {
      const client = fresh();
      const [a] = await run(client);
      const [b] = await run(client);
      await client.send(new StopInstancesCommand({ InstanceIds: [b!.InstanceId!] }));
      const r = await client.send(new DescribeInstanceStatusCommand({}));
      assert.deepEqual(r.InstanceStatuses!.map((s) => [s.InstanceId, s.InstanceStatus!.Status]), [[a!.InstanceId, 'ok']]);
      const every = await client.send(new DescribeInstanceStatusCommand({ IncludeAllInstances: true }));
      assert.equal(every.InstanceStatuses!.length, 2);
    });
    it('metadata options: IMDSv1 allowed at launch, IMDSv2 required later with the CLI; the hop limit is 1 to 64', async () => {
      const [i] = await run(ec2, { MetadataOptions: { HttpTokens: 'optional', HttpPutResponseHopLimit: 1 } });
      const options = async () => (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [i!.InstanceId!] }))).Reservations![0]!.Instances![0]!.MetadataOptions!;
      assert.deepEqual([(await options()).HttpTokens, (await options()).HttpPutResponseHopLimit], ['optional', 1]);
      const cli = await aws(nimbus, ['ec2', 'modify-instance-metadata-options', '--instance-id', i!.InstanceId!, '--http-tokens', 'required', '--http-put-response-hop-limit', '3']);
      assert.equal(cli.code, 0, cli.stderr);
      assert.deepEqual([cli.json.InstanceMetadataOptions.State, cli.json.InstanceMetadataOptions.HttpTokens], ['pending', 'required']);
      const now = await options();
      assert.deepEqual([now.State, now.HttpTokens, now.HttpPutResponseHopLimit, now.HttpEndpoint], ['applied', 'required', 3, 'enabled']);
      const far = await rejects(ec2.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: i!.InstanceId!, HttpPutResponseHopLimit: 65 })));
      assert.deepEqual([far.name, far.$metadata.httpStatusCode], ['InvalidParameterValue', 400]);
    });

    it('detailed monitoring turns on (pending, then enabled) and off with the CLI (disabling, then disabled); not for a terminated instance', async () => {
      const [i] = await run(ec2);
      const state = async () => (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [i!.InstanceId!] }))).Reservations![0]!.Instances![0]!.Monitoring!.State;
      const on = await ec2.send(new MonitorInstancesCommand({ InstanceIds: [i!.InstanceId!] }));
      assert.equal(on.InstanceMonitorings![0]!.Monitoring!.State, 'pending');
      assert.equal(await state(), 'enabled');
      const off = await aws(nimbus, ['ec2', 'unmonitor-instances', '--instance-ids', i!.InstanceId!]);
      assert.equal(off.code, 0, off.stderr);
      assert.equal(off.json.InstanceMonitorings[0].Monitoring.State, 'disabling');
      assert.equal(await state(), 'disabled');
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: [i!.InstanceId!] }));
      assert.equal((await rejects(ec2.send(new MonitorInstancesCommand({ InstanceIds: [i!.InstanceId!] })))).name, 'IncorrectInstanceState');
    });

    it('an instance profile given at launch shows as an association; one is attached later with the CLI, replaced, and detached', async () => {
      const client = fresh();
      const account = String(accounts);
      const [launched] = await run(client, { IamInstanceProfile: { Name: 'web-role' } });
      assert.equal(launched!.IamInstanceProfile!.Arn, `arn:aws:iam::${account}:instance-profile/web-role`);
      assert.match(launched!.IamInstanceProfile!.Id!, /^AIPA[0-9A-F]{17}$/);
      const listed = (await client.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [launched!.InstanceId!] }] }))).IamInstanceProfileAssociations!;
      assert.deepEqual(listed.map((a) => [a.InstanceId, a.IamInstanceProfile!.Arn, a.State]), [[launched!.InstanceId, launched!.IamInstanceProfile!.Arn, 'associated']]);
      const twice = await rejects(client.send(new AssociateIamInstanceProfileCommand({ InstanceId: launched!.InstanceId!, IamInstanceProfile: { Name: 'other' } })));
      assert.deepEqual([twice.name, twice.message], ['IncorrectState', `There is an existing association for instance ${launched!.InstanceId}`]);

      const [bare] = await run(client);
      const cli = await aws(nimbus, ['ec2', 'associate-iam-instance-profile', '--instance-id', bare!.InstanceId!, '--iam-instance-profile', 'Name=app-role'], { AWS_ACCESS_KEY_ID: account });
      assert.equal(cli.code, 0, cli.stderr);
      assert.equal(cli.json.IamInstanceProfileAssociation.State, 'associating');
      const first = cli.json.IamInstanceProfileAssociation.AssociationId as string;
      assert.match(first, /^iip-assoc-[0-9a-f]{17}$/);
      const replaced = (await client.send(new ReplaceIamInstanceProfileAssociationCommand({ AssociationId: first, IamInstanceProfile: { Arn: `arn:aws:iam::${account}:instance-profile/admin-role` } }))).IamInstanceProfileAssociation!;
      assert.notEqual(replaced.AssociationId, first);
      const described = await client.send(new DescribeInstancesCommand({ InstanceIds: [bare!.InstanceId!] }));
      assert.equal(described.Reservations![0]!.Instances![0]!.IamInstanceProfile!.Arn, `arn:aws:iam::${account}:instance-profile/admin-role`);
      const gone = await rejects(client.send(new DisassociateIamInstanceProfileCommand({ AssociationId: first })));
      assert.equal(gone.name, 'InvalidAssociationID.NotFound', 'a replaced association no longer exists');
      await client.send(new DisassociateIamInstanceProfileCommand({ AssociationId: replaced.AssociationId! }));
      const after = await client.send(new DescribeInstancesCommand({ InstanceIds: [bare!.InstanceId!] }));
      assert.equal(after.Reservations![0]!.Instances![0]!.IamInstanceProfile, undefined);
      const badArn = await rejects(client.send(new AssociateIamInstanceProfileCommand({ InstanceId: bare!.InstanceId!, IamInstanceProfile: { Arn: 'arn:aws:iam::123:role/not-a-profile' } })));
      assert.equal(badArn.name, 'InvalidParameterValue');
    });
  });

  describe('volumes, snapshots and images', () => {
    it('a gp3 volume is creating, then available; it attaches in its zone and is in-use', async () => {
      const [i] = await run(ec2, { Placement: { AvailabilityZone: 'us-east-1b' } });
      const v = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1b', Size: 20, VolumeType: 'gp3' }));
      assert.equal(v.State, 'creating');
      assert.deepEqual([v.Iops, v.Throughput], [3000, 125]);
      const a = await ec2.send(new AttachVolumeCommand({ VolumeId: v.VolumeId!, InstanceId: i!.InstanceId!, Device: '/dev/sdf' }));
      assert.equal(a.State, 'attaching');
      const d = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [v.VolumeId!] }));
      assert.equal(d.Volumes![0]!.State, 'in-use');
      assert.equal(d.Volumes![0]!.Attachments![0]!.State, 'attached');
      const again = await rejects(ec2.send(new AttachVolumeCommand({ VolumeId: v.VolumeId!, InstanceId: i!.InstanceId!, Device: '/dev/sdg' })));
      assert.equal(again.name, 'VolumeInUse');
      const del = await rejects(ec2.send(new DeleteVolumeCommand({ VolumeId: v.VolumeId! })));
      assert.equal(del.name, 'VolumeInUse');
      await ec2.send(new DetachVolumeCommand({ VolumeId: v.VolumeId! }));
      const after = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [v.VolumeId!] }));
      assert.equal(after.Volumes![0]!.State, 'available');
    });

    it('attaching across zones is InvalidVolume.ZoneMismatch', async () => {
      const [i] = await run(ec2, { Placement: { AvailabilityZone: 'us-east-1a' } });
      const v = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1c', Size: 8 }));
      const err = await rejects(ec2.send(new AttachVolumeCommand({ VolumeId: v.VolumeId!, InstanceId: i!.InstanceId!, Device: '/dev/sdf' })));
      assert.equal(err.name, 'InvalidVolume.ZoneMismatch');
    });

    it('each volume type has its rules: io1 needs IOPS within 50 per GiB, st1 starts at 125 GiB, gp2 IOPS follow size', async () => {
      const gp2 = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 100, VolumeType: 'gp2' }));
      assert.equal(gp2.Iops, 300);
      assert.equal((await rejects(ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 10, VolumeType: 'io1', Iops: 1000 })))).name, 'InvalidParameterValue');
      assert.equal((await rejects(ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 100, VolumeType: 'st1' })))).name, 'InvalidParameterValue');
      assert.equal((await rejects(ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 100, VolumeType: 'gp2', Iops: 500 })))).name, 'InvalidParameterCombination');
      const m = await ec2.send(new ModifyVolumeCommand({ VolumeId: gp2.VolumeId!, VolumeType: 'gp3', Size: 200 }));
      assert.deepEqual([m.VolumeModification!.TargetVolumeType, m.VolumeModification!.TargetSize, m.VolumeModification!.OriginalSize], ['gp3', 200, 100]);
      assert.equal(m.VolumeModification!.ModificationState, 'optimizing');
    });

    it('a ModifyVolume shows in describe-volumes-modifications as completed from the next read; an unmodified volume has none', async () => {
      const v = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 50, VolumeType: 'gp2' }));
      await ec2.send(new ModifyVolumeCommand({ VolumeId: v.VolumeId!, VolumeType: 'gp3', Size: 80, Iops: 4000 }));
      const cli = await aws(nimbus, ['ec2', 'describe-volumes-modifications', '--volume-ids', v.VolumeId!]);
      assert.equal(cli.code, 0, cli.stderr);
      const mod = cli.json.VolumesModifications[0];
      assert.deepEqual([mod.ModificationState, mod.Progress, mod.OriginalVolumeType, mod.TargetVolumeType, mod.OriginalSize, mod.TargetSize, mod.TargetIops], ['completed', 100, 'gp2', 'gp3', 50, 80, 4000]);
      const byState = await ec2.send(new DescribeVolumesModificationsCommand({ Filters: [{ Name: 'modification-state', Values: ['completed'] }, { Name: 'volume-id', Values: [v.VolumeId!] }] }));
      assert.equal(byState.VolumesModifications!.length, 1);
      const plain = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8 }));
      const none = await rejects(ec2.send(new DescribeVolumesModificationsCommand({ VolumeIds: [plain.VolumeId!] })));
      assert.deepEqual([none.name, none.$metadata.httpStatusCode], ['InvalidVolumeModification.NotFound', 400]);
    });

    it('a snapshot completes on the next read, restores a volume no smaller than itself, and copies across regions', async () => {
      const v = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 30, Encrypted: true }));
      const s = await ec2.send(new CreateSnapshotCommand({ VolumeId: v.VolumeId!, Description: 'nightly' }));
      assert.equal(s.State, 'pending');
      const d = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [s.SnapshotId!] }));
      assert.deepEqual([d.Snapshots![0]!.State, d.Snapshots![0]!.Progress, d.Snapshots![0]!.Encrypted], ['completed', '100%', true]);
      const small = await rejects(ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 10, SnapshotId: s.SnapshotId! })));
      assert.equal(small.name, 'InvalidParameterValue');
      const restored = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1b', SnapshotId: s.SnapshotId! }));
      assert.deepEqual([restored.Size, restored.Encrypted], [30, true]);
      const west = new EC2Client(clientConfig(nimbus, { region: 'us-west-2' }));
      const copy = await west.send(new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: s.SnapshotId! }));
      const copied = await west.send(new DescribeSnapshotsCommand({ SnapshotIds: [copy.SnapshotId!] }));
      assert.equal(copied.Snapshots![0]!.VolumeSize, 30);
      // A snapshot just made in the source region is completed there too, though no call there has read it yet.
      const westVolume = await west.send(new CreateVolumeCommand({ AvailabilityZone: 'us-west-2a', Size: 12 }));
      const justMade = await west.send(new CreateSnapshotCommand({ VolumeId: westVolume.VolumeId! }));
      const back = await ec2.send(new CopySnapshotCommand({ SourceRegion: 'us-west-2', SourceSnapshotId: justMade.SnapshotId! }));
      assert.match(back.SnapshotId!, /^snap-[0-9a-f]{17}$/);
    });

    it('CreateImage snapshots the instance volumes; the image launches and can be shared', async () => {
      const [i] = await run(ec2);
      const img = await ec2.send(new CreateImageCommand({ InstanceId: i!.InstanceId!, Name: 'golden-image-1' }));
      const d = await ec2.send(new DescribeImagesCommand({ ImageIds: [img.ImageId!] }));
      assert.equal(d.Images![0]!.State, 'available');
      assert.match(d.Images![0]!.BlockDeviceMappings![0]!.Ebs!.SnapshotId!, /^snap-/);
      const own = await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
      assert.ok(own.Images!.some((x) => x.ImageId === img.ImageId));
      const [child] = await run(ec2, { ImageId: img.ImageId! });
      assert.equal(child!.ImageId, img.ImageId);
      const dup = await rejects(ec2.send(new CreateImageCommand({ InstanceId: i!.InstanceId!, Name: 'golden-image-1' })));
      assert.equal(dup.name, 'InvalidAMIName.Duplicate');
      await ec2.send(new ModifyImageAttributeCommand({ ImageId: img.ImageId!, LaunchPermission: { Add: [{ Group: 'all' }] } }));
      const pub = await ec2.send(new DescribeImagesCommand({ ImageIds: [img.ImageId!] }));
      assert.equal(pub.Images![0]!.Public, true);
    });
    it('RegisterImage from a snapshot, CopyImage to another region, DeregisterImage of a public AMI is refused', async () => {
      const v = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 12 }));
      const s = await ec2.send(new CreateSnapshotCommand({ VolumeId: v.VolumeId! }));
      const reg = await ec2.send(new RegisterImageCommand({ Name: 'from-snapshot', RootDeviceName: '/dev/xvda', Architecture: 'x86_64', VirtualizationType: 'hvm', BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: s.SnapshotId! } }] }));
      const img = (await ec2.send(new DescribeImagesCommand({ ImageIds: [reg.ImageId!] }))).Images![0]!;
      assert.deepEqual([img.State, img.BlockDeviceMappings![0]!.Ebs!.VolumeSize], ['available', 12]);
      const west = new EC2Client(clientConfig(nimbus, { region: 'eu-west-1' }));
      const copy = await west.send(new CopyImageCommand({ SourceImageId: reg.ImageId!, SourceRegion: 'us-east-1', Name: 'copied' }));
      const copied = (await west.send(new DescribeImagesCommand({ ImageIds: [copy.ImageId!] }))).Images![0]!;
      assert.notEqual(copied.BlockDeviceMappings![0]!.Ebs!.SnapshotId, img.BlockDeviceMappings![0]!.Ebs!.SnapshotId);
      const perms = await ec2.send(new DescribeImageAttributeCommand({ ImageId: reg.ImageId!, Attribute: 'launchPermission' }));
      assert.deepEqual(perms.LaunchPermissions, []);
      assert.equal((await rejects(ec2.send(new DeregisterImageCommand({ ImageId: ami })))).name, 'AuthFailure');
      await ec2.send(new DeregisterImageCommand({ ImageId: reg.ImageId! }));
      assert.equal((await rejects(ec2.send(new DescribeImagesCommand({ ImageIds: [reg.ImageId!] })))).name, 'InvalidAMIID.NotFound');
    });
  });

  describe('Elastic IPs and tags', () => {
    it('five addresses per region, then AddressLimitExceeded', async () => {
      const client = fresh('eu-west-1');
      for (let n = 0; n < 5; n++) await client.send(new AllocateAddressCommand({ Domain: 'vpc' }));
      const err = await rejects(client.send(new AllocateAddressCommand({ Domain: 'vpc' })));
      assert.equal(err.name, 'AddressLimitExceeded');
      assert.equal(err.$metadata.httpStatusCode, 400);
    });

    it('an Elastic IP becomes the instance public IP; moving it needs AllowReassociation; an associated one cannot be released', async () => {
      const client = fresh();
      const [a] = await run(client);
      const [b] = await run(client);
      const eip = await client.send(new AllocateAddressCommand({ Domain: 'vpc' }));
      const assoc = await client.send(new AssociateAddressCommand({ AllocationId: eip.AllocationId!, InstanceId: a!.InstanceId! }));
      const d = await client.send(new DescribeInstancesCommand({ InstanceIds: [a!.InstanceId!] }));
      assert.equal(d.Reservations![0]!.Instances![0]!.PublicIpAddress, eip.PublicIp);
      const move = await rejects(client.send(new AssociateAddressCommand({ AllocationId: eip.AllocationId!, InstanceId: b!.InstanceId! })));
      assert.equal(move.name, 'Resource.AlreadyAssociated');
      const release = await rejects(client.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId! })));
      assert.equal(release.name, 'InvalidIPAddress.InUse');
      await client.send(new AssociateAddressCommand({ AllocationId: eip.AllocationId!, InstanceId: b!.InstanceId!, AllowReassociation: true }));
      const addr = await client.send(new DescribeAddressesCommand({ AllocationIds: [eip.AllocationId!] }));
      assert.equal(addr.Addresses![0]!.InstanceId, b!.InstanceId);
      const reA = await client.send(new DescribeInstancesCommand({ InstanceIds: [a!.InstanceId!] }));
      assert.ok(reA.Reservations![0]!.Instances![0]!.PublicIpAddress, 'the first instance gets an auto-assigned address back');
      assert.notEqual(reA.Reservations![0]!.Instances![0]!.PublicIpAddress, eip.PublicIp);
      await client.send(new DisassociateAddressCommand({ AssociationId: (await client.send(new DescribeAddressesCommand({}))).Addresses![0]!.AssociationId! }));
      await client.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId! }));
      assert.equal(assoc.AssociationId!.startsWith('eipassoc-'), true);
    });

    it('CreateTags/DeleteTags/DescribeTags work across resource types; a missing resource is its type NotFound error', async () => {
      const client = fresh();
      const [i] = await run(client);
      const v = await client.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 1 }));
      await client.send(new CreateTagsCommand({ Resources: [i!.InstanceId!, v.VolumeId!], Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'owner', Value: 'ann' }] }));
      const byKey = await client.send(new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['env'] }] }));
      assert.deepEqual(byKey.Tags!.map((t) => t.ResourceType).sort(), ['instance', 'volume']);
      await client.send(new DeleteTagsCommand({ Resources: [v.VolumeId!], Tags: [{ Key: 'env', Value: 'prod' }] }));
      assert.equal((await client.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [v.VolumeId!] }] }))).Tags!.length, 2, 'a value that does not match deletes nothing');
      await client.send(new DeleteTagsCommand({ Resources: [v.VolumeId!], Tags: [{ Key: 'env' }] }));
      assert.deepEqual((await client.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [v.VolumeId!] }] }))).Tags!.map((t) => t.Key), ['owner']);
      const err = await rejects(client.send(new CreateTagsCommand({ Resources: ['vol-0123456789abcdef0'], Tags: [{ Key: 'a', Value: 'b' }] })));
      assert.equal(err.name, 'InvalidVolume.NotFound');
      const reserved = await rejects(client.send(new CreateTagsCommand({ Resources: [v.VolumeId!], Tags: [{ Key: 'aws:x', Value: 'b' }] })));
      assert.equal(reserved.name, 'InvalidParameterValue');
    });
  });
});
