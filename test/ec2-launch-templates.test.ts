import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateKeyPairCommand, CreateLaunchTemplateCommand, CreateLaunchTemplateVersionCommand, CreateSecurityGroupCommand, CreateTagsCommand,
  DeleteLaunchTemplateCommand, DeleteLaunchTemplateVersionsCommand, DescribeImagesCommand, DescribeInstanceAttributeCommand, DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand, DescribeLaunchTemplateVersionsCommand, DescribeNetworkInterfacesCommand, DescribeTagsCommand, DescribeVolumesCommand,
  DescribeVpcsCommand, EC2Client, GetLaunchTemplateDataCommand, ModifyLaunchTemplateCommand, RunInstancesCommand, type Instance, type RequestLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

/** Tests that count templates per region run as their own account, chosen by a 12-digit access key. */
let accounts = 300000000000;
let names = 0;
/** Template data must name at least one parameter: an empty structure does not reach the wire at all. */
const SOME = { InstanceType: 't3.micro' } as const;

describe('EC2 launch templates', () => {
  let nimbus: Nimbus;
  let ec2: EC2Client;
  let ami: string;
  let vpcId: string;
  const fresh = () => new EC2Client(clientConfig(nimbus, { credentials: { accessKeyId: String(++accounts), secretAccessKey: 'x' } }));
  const unique = (prefix = 'lt') => `${prefix}-${++names}-${Date.now()}`;
  const create = async (data: RequestLaunchTemplateData = {}, extra: Record<string, unknown> = {}, client = ec2) =>
    (await client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: unique(), LaunchTemplateData: { ImageId: ami, ...data }, ...extra }))).LaunchTemplate!;
  const addVersion = async (id: string, data: RequestLaunchTemplateData, extra: Record<string, unknown> = {}) =>
    (await ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: id, LaunchTemplateData: data, ...extra }))).LaunchTemplateVersion!;
  const runFrom = async (spec: { LaunchTemplateId?: string; LaunchTemplateName?: string; Version?: string }, extra: Record<string, unknown> = {}): Promise<Instance> =>
    (await ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, LaunchTemplate: spec, ...extra }))).Instances![0]!;
  const tagMap = (tags: { Key?: string; Value?: string }[] | undefined) => Object.fromEntries((tags ?? []).map((t) => [t.Key, t.Value]));

  before(async () => {
    nimbus = await start();
    ec2 = new EC2Client(clientConfig(nimbus));
    const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023*-x86_64'] }] }));
    ami = images.Images![0]!.ImageId!;
    vpcId = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs![0]!.VpcId!;
  });
  after(() => nimbus.stop());

  describe('templates and versions', () => {
    it('CreateLaunchTemplate makes version 1, the default and the latest, tagged with launch-template tags', async () => {
      const name = unique();
      const t = (await ec2.send(new CreateLaunchTemplateCommand({
        LaunchTemplateName: name, VersionDescription: 'first', LaunchTemplateData: { ImageId: ami, InstanceType: 't3.micro' },
        TagSpecifications: [{ ResourceType: 'launch-template', Tags: [{ Key: 'team', Value: 'web' }] }],
      }))).LaunchTemplate!;
      assert.match(t.LaunchTemplateId!, /^lt-[0-9a-f]{17}$/);
      assert.equal(t.LaunchTemplateName, name);
      assert.equal(t.DefaultVersionNumber, 1);
      assert.equal(t.LatestVersionNumber, 1);
      assert.match(t.CreatedBy!, /^arn:aws:iam::\d{12}:/);
      assert.ok(t.CreateTime instanceof Date);
      assert.deepEqual(t.Tags, [{ Key: 'team', Value: 'web' }]);
      const [v] = (await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: name }))).LaunchTemplateVersions!;
      assert.equal(v!.VersionNumber, 1);
      assert.equal(v!.DefaultVersion, true);
      assert.equal(v!.VersionDescription, 'first');
      assert.deepEqual(v!.LaunchTemplateData, { ImageId: ami, InstanceType: 't3.micro' });
    });

    it('a second template with the same name fails with InvalidLaunchTemplateName.AlreadyExistsException', async () => {
      const t = await create();
      const err = await rejects(ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: t.LaunchTemplateName!, LaunchTemplateData: SOME })));
      assert.equal(err.name, 'InvalidLaunchTemplateName.AlreadyExistsException');
      assert.equal(err.$metadata.httpStatusCode, 400);
    });

    it('names must be 3 to 128 letters, digits and ( ) . - / _ (InvalidLaunchTemplateName.MalformedException), and nothing is stored', async () => {
      const client = fresh();
      for (const name of ['has space', 'star*', 'ünï']) {
        const err = await rejects(client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: name, LaunchTemplateData: SOME })));
        assert.equal(err.name, 'InvalidLaunchTemplateName.MalformedException', name);
        assert.match(err.message, /between 3 and 128 characters/);
      }
      for (const [name, limit] of [['ab', 'greater than or equal to 3'], ['x'.repeat(129), 'less than or equal to 128']] as const) {
        const err = await rejects(client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: name, LaunchTemplateData: SOME })));
        assert.equal(err.$metadata.httpStatusCode, 400);
        assert.match(err.message, new RegExp(limit));
      }
      await client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'a(b).c-d/e_f', LaunchTemplateData: SOME }));
      assert.equal((await client.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates!.length, 1);
    });

    it('a version description over 255 characters, or template tags for a resource a launch does not make, is InvalidParameterValue', async () => {
      const long = await rejects(ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: unique(), VersionDescription: 'd'.repeat(256), LaunchTemplateData: SOME })));
      assert.equal(long.name, 'InvalidParameterValue');
      assert.match(long.message, /less than or equal to 255/);
      const vpcTags = await rejects(ec2.send(new CreateLaunchTemplateCommand({
        LaunchTemplateName: unique(), LaunchTemplateData: { TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'a', Value: 'b' }] }] },
      })));
      assert.equal(vpcTags.name, 'InvalidParameterValue');
      const instanceTagsOnTemplate = await rejects(ec2.send(new CreateLaunchTemplateCommand({
        LaunchTemplateName: unique(), LaunchTemplateData: SOME, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'a', Value: 'b' }] }],
      })));
      assert.equal(instanceTagsOnTemplate.name, 'InvalidParameterValue');
      assert.match(instanceTagsOnTemplate.message, /not a valid taggable resource type/);
    });

    it('a reserved aws: tag on the template is refused and leaves no template behind', async () => {
      const name = unique();
      const err = await rejects(ec2.send(new CreateLaunchTemplateCommand({
        LaunchTemplateName: name, LaunchTemplateData: SOME, TagSpecifications: [{ ResourceType: 'launch-template', Tags: [{ Key: 'aws:x', Value: 'y' }] }],
      })));
      assert.equal(err.name, 'InvalidParameterValue');
      const missing = await rejects(ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [name] })));
      assert.equal(missing.name, 'InvalidLaunchTemplateName.NotFoundException');
    });

    it('ClientToken makes CreateLaunchTemplate and CreateLaunchTemplateVersion idempotent; reusing it for another request is IdempotentParameterMismatch', async () => {
      const name = unique();
      const request = { LaunchTemplateName: name, LaunchTemplateData: { InstanceType: 't3.micro' as const }, ClientToken: `tok-${name}` };
      const first = (await ec2.send(new CreateLaunchTemplateCommand(request))).LaunchTemplate!;
      const again = (await ec2.send(new CreateLaunchTemplateCommand(request))).LaunchTemplate!;
      assert.equal(again.LaunchTemplateId, first.LaunchTemplateId);
      const other = await rejects(ec2.send(new CreateLaunchTemplateCommand({ ...request, LaunchTemplateName: unique() })));
      assert.equal(other.name, 'IdempotentParameterMismatch');

      const v = { LaunchTemplateId: first.LaunchTemplateId!, LaunchTemplateData: { InstanceType: 't3.small' as const }, ClientToken: `vtok-${name}` };
      const v2 = (await ec2.send(new CreateLaunchTemplateVersionCommand(v))).LaunchTemplateVersion!;
      const v2again = (await ec2.send(new CreateLaunchTemplateVersionCommand(v))).LaunchTemplateVersion!;
      assert.equal(v2.VersionNumber, 2);
      assert.equal(v2again.VersionNumber, 2);
      const t = (await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [first.LaunchTemplateId!] }))).LaunchTemplates![0]!;
      assert.equal(t.LatestVersionNumber, 2);
    });

    it('versions number from 1 up; SourceVersion copies that version and the new fields replace its own', async () => {
      const t = await create({ InstanceType: 't3.micro', KeyName: 'base-key', UserData: Buffer.from('#!/bin/sh\necho v1').toString('base64') });
      const v2 = await addVersion(t.LaunchTemplateId!, { InstanceType: 't3.large' }, { SourceVersion: '1', VersionDescription: 'bigger' });
      assert.equal(v2.VersionNumber, 2);
      assert.equal(v2.DefaultVersion, false);
      assert.equal(v2.LaunchTemplateName, t.LaunchTemplateName);
      assert.equal(v2.LaunchTemplateData!.InstanceType, 't3.large');
      assert.equal(v2.LaunchTemplateData!.ImageId, ami);
      assert.equal(v2.LaunchTemplateData!.KeyName, 'base-key');
      const v3 = await addVersion(t.LaunchTemplateId!, { InstanceType: 't3.nano' });
      assert.equal(v3.VersionNumber, 3);
      assert.deepEqual(v3.LaunchTemplateData, { InstanceType: 't3.nano' });
      const v4 = await addVersion(t.LaunchTemplateId!, { KeyName: 'other' }, { SourceVersion: '$Latest' });
      assert.deepEqual(v4.LaunchTemplateData, { InstanceType: 't3.nano', KeyName: 'other' });
      const listed = (await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [t.LaunchTemplateId!] }))).LaunchTemplates![0]!;
      assert.equal(listed.LatestVersionNumber, 4);
      assert.equal(listed.DefaultVersionNumber, 1);
      const missing = await rejects(addVersion(t.LaunchTemplateId!, SOME, { SourceVersion: '9' }));
      assert.equal(missing.name, 'InvalidLaunchTemplateId.VersionNotFound');
      assert.match(missing.message, new RegExp(`version 9 for the launch template with ID ${t.LaunchTemplateId}`));
    });

    it('ModifyLaunchTemplate sets the default version; $Default and $Latest name the default and the highest', async () => {
      const t = await create({ InstanceType: 't3.micro' });
      await addVersion(t.LaunchTemplateId!, { InstanceType: 't3.small' });
      await addVersion(t.LaunchTemplateId!, { InstanceType: 't3.medium' });
      const modified = (await ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateName: t.LaunchTemplateName!, DefaultVersion: '2' }))).LaunchTemplate!;
      assert.equal(modified.DefaultVersionNumber, 2);
      const aliases = (await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: t.LaunchTemplateId!, Versions: ['$Default', '$Latest'] }))).LaunchTemplateVersions!;
      assert.deepEqual(aliases.map((v) => [v.VersionNumber, v.DefaultVersion, v.LaunchTemplateData!.InstanceType]), [[2, true, 't3.small'], [3, false, 't3.medium']]);
      const missing = await rejects(ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: t.LaunchTemplateId!, DefaultVersion: '7' })));
      assert.equal(missing.name, 'InvalidLaunchTemplateId.VersionNotFound');
      const still = (await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [t.LaunchTemplateId!] }))).LaunchTemplates![0]!;
      assert.equal(still.DefaultVersionNumber, 2);
    });

    it('DescribeLaunchTemplateVersions takes MinVersion/MaxVersion, filters and MaxResults/NextToken paging', async () => {
      const t = await create({ InstanceType: 't3.micro' });
      for (const type of ['t3.small', 't3.micro', 't3.large', 't3.micro'] as const) await addVersion(t.LaunchTemplateId!, { InstanceType: type });
      const range = (await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: t.LaunchTemplateId!, MinVersion: '2', MaxVersion: '4' }))).LaunchTemplateVersions!;
      assert.deepEqual(range.map((v) => v.VersionNumber), [2, 3, 4]);
      const micro = (await ec2.send(new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: t.LaunchTemplateId!, Filters: [{ Name: 'instance-type', Values: ['t3.micro'] }],
      }))).LaunchTemplateVersions!;
      assert.deepEqual(micro.map((v) => v.VersionNumber), [1, 3, 5]);
      const defaults = (await ec2.send(new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: t.LaunchTemplateId!, Filters: [{ Name: 'is-default-version', Values: ['true'] }],
      }))).LaunchTemplateVersions!;
      assert.deepEqual(defaults.map((v) => v.VersionNumber), [1]);
      const seen: number[] = [];
      let NextToken: string | undefined;
      do {
        const page = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: t.LaunchTemplateId!, MaxResults: 2, NextToken }));
        assert.ok(page.LaunchTemplateVersions!.length <= 2);
        seen.push(...page.LaunchTemplateVersions!.map((v) => v.VersionNumber!));
        NextToken = page.NextToken;
      } while (NextToken);
      assert.deepEqual(seen, [1, 2, 3, 4, 5]);
      const unknown = await rejects(ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: t.LaunchTemplateId!, Versions: ['99'] })));
      assert.equal(unknown.name, 'InvalidLaunchTemplateId.VersionNotFound');
      assert.equal(unknown.message, `Could not find the specified version 99 for the launch template with ID ${t.LaunchTemplateId}.`);
    });

    it('DescribeLaunchTemplateVersions without a template takes only $Latest and $Default, across every template', async () => {
      const client = fresh();
      const a = await create({ InstanceType: 't3.micro' }, {}, client);
      const b = await create({ InstanceType: 't3.micro' }, {}, client);
      await client.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: b.LaunchTemplateId!, LaunchTemplateData: { InstanceType: 't3.small' } }));
      const latest = (await client.send(new DescribeLaunchTemplateVersionsCommand({ Versions: ['$Latest'] }))).LaunchTemplateVersions!;
      assert.deepEqual(latest.map((v) => [v.LaunchTemplateId, v.VersionNumber]), [[a.LaunchTemplateId, 1], [b.LaunchTemplateId, 2]]);
      const none = await rejects(client.send(new DescribeLaunchTemplateVersionsCommand({})));
      assert.equal(none.name, 'MissingParameter');
      const numbered = await rejects(client.send(new DescribeLaunchTemplateVersionsCommand({ Versions: ['1'] })));
      assert.equal(numbered.name, 'InvalidParameterValue');
      assert.match(numbered.message, /specify ‘\$Latest’, ‘\$Default’, or both/);
    });
  });

  describe('finding templates', () => {
    it('DescribeLaunchTemplates by names and ids, filtered by name, create-time, tag:key and tag-key, paged', async () => {
      const client = fresh();
      const web = await create({}, { LaunchTemplateName: 'web-a', TagSpecifications: [{ ResourceType: 'launch-template', Tags: [{ Key: 'tier', Value: 'web' }] }] }, client);
      const web2 = await create({}, { LaunchTemplateName: 'web-b' }, client);
      const db = await create({}, { LaunchTemplateName: 'db-a' }, client);
      await client.send(new CreateTagsCommand({ Resources: [db.LaunchTemplateId!], Tags: [{ Key: 'tier', Value: 'db' }, { Key: 'backup', Value: '' }] }));
      const ids = (r: { LaunchTemplates?: { LaunchTemplateId?: string }[] }) => r.LaunchTemplates!.map((t) => t.LaunchTemplateId);
      assert.deepEqual(ids(await client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['db-a', 'web-a'] }))), [web.LaunchTemplateId, db.LaunchTemplateId]);
      assert.deepEqual(ids(await client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [web2.LaunchTemplateId!] }))), [web2.LaunchTemplateId]);
      assert.deepEqual(ids(await client.send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'launch-template-name', Values: ['web-*'] }] }))), [web.LaunchTemplateId, web2.LaunchTemplateId]);
      assert.deepEqual(ids(await client.send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'tag:tier', Values: ['db'] }] }))), [db.LaunchTemplateId]);
      assert.deepEqual(ids(await client.send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'tag-key', Values: ['backup'] }] }))), [db.LaunchTemplateId]);
      const created = web.CreateTime!.toISOString().slice(0, 10);
      assert.equal(ids(await client.send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'create-time', Values: [`${created}*`] }] }))).length, 3);
      const tagged = (await client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [web.LaunchTemplateId!] }))).LaunchTemplates![0]!;
      assert.deepEqual(tagged.Tags, [{ Key: 'tier', Value: 'web' }]);
      const first = await client.send(new DescribeLaunchTemplatesCommand({ MaxResults: 2 }));
      assert.equal(first.LaunchTemplates!.length, 2);
      assert.ok(first.NextToken);
      const rest = await client.send(new DescribeLaunchTemplatesCommand({ MaxResults: 2, NextToken: first.NextToken }));
      assert.deepEqual(ids(rest), [db.LaunchTemplateId]);
      assert.equal(rest.NextToken, undefined);
      const tooMany = await rejects(client.send(new DescribeLaunchTemplatesCommand({ MaxResults: 201 })));
      assert.equal(tooMany.name, 'InvalidParameterValue');
    });

    it('CreateTags tags a launch template by id; DescribeTags lists it as resource type launch-template', async () => {
      const t = await create();
      await ec2.send(new CreateTagsCommand({ Resources: [t.LaunchTemplateId!], Tags: [{ Key: 'later', Value: 'yes' }] }));
      const tags = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [t.LaunchTemplateId!] }] }));
      assert.deepEqual(tags.Tags!.map((x) => [x.ResourceType, x.Key, x.Value]), [['launch-template', 'later', 'yes']]);
      const missing = await rejects(ec2.send(new CreateTagsCommand({ Resources: ['lt-0123456789abcdef0'], Tags: [{ Key: 'a', Value: 'b' }] })));
      assert.equal(missing.name, 'InvalidLaunchTemplateId.NotFound');
    });

    it('a name or id that does not exist, or an id that is malformed, fails with the AWS code for it', async () => {
      const byName = await rejects(ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['no-such-template'] })));
      assert.equal(byName.name, 'InvalidLaunchTemplateName.NotFoundException');
      const byId = await rejects(ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: ['lt-0123456789abcdef0'] })));
      assert.equal(byId.name, 'InvalidLaunchTemplateId.NotFound');
      assert.equal(byId.message, 'The specified launch template, with template ID lt-0123456789abcdef0, does not exist.');
      const malformed = await rejects(ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: 'not-an-id' })));
      assert.equal(malformed.name, 'InvalidLaunchTemplateId.Malformed');
      const versionsByName = await rejects(ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'no-such-template' })));
      assert.equal(versionsByName.name, 'InvalidLaunchTemplateName.NotFoundException');
      assert.equal(versionsByName.message, 'The specified launch template, with template name no-such-template, does not exist.');
      const both = await rejects(ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: 'lt-0123456789abcdef0', LaunchTemplateName: 'x-y-z' })));
      assert.equal(both.name, 'InvalidParameterCombination');
      const neither = await rejects(ec2.send(new DeleteLaunchTemplateCommand({})));
      assert.equal(neither.name, 'MissingParameter');
    });
  });

  describe('launching from a template', () => {
    let template: { LaunchTemplateId?: string; LaunchTemplateName?: string };
    let sg: string;
    let sg2: string;

    before(async () => {
      await ec2.send(new CreateKeyPairCommand({ KeyName: 'lt-key' }));
      sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'lt-web', Description: 'web', VpcId: vpcId }))).GroupId!;
      sg2 = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'lt-other', Description: 'other', VpcId: vpcId }))).GroupId!;
      template = await create({
        InstanceType: 't3.micro', KeyName: 'lt-key', SecurityGroupIds: [sg], UserData: Buffer.from('#!/bin/sh\necho hello').toString('base64'),
        IamInstanceProfile: { Name: 'web-profile' }, MetadataOptions: { HttpTokens: 'optional', HttpPutResponseHopLimit: 3 },
        BlockDeviceMappings: [{ DeviceName: '/dev/sdf', Ebs: { VolumeSize: 8, VolumeType: 'gp3', DeleteOnTermination: true } }],
        TagSpecifications: [
          { ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'from-template' }, { Key: 'env', Value: 'test' }] },
          { ResourceType: 'volume', Tags: [{ Key: 'disk', Value: 'template' }] },
          { ResourceType: 'network-interface', Tags: [{ Key: 'nic', Value: 'template' }] },
        ],
      });
      await addVersion(template.LaunchTemplateId!, { InstanceType: 't3.small' }, { SourceVersion: '1' });
      await addVersion(template.LaunchTemplateId!, { InstanceType: 't3.medium' }, { SourceVersion: '1' });
    });

    it('RunInstances with only a LaunchTemplate launches what the default version holds, tagged with the template id and version', async () => {
      const i = await runFrom({ LaunchTemplateName: template.LaunchTemplateName! });
      assert.equal(i.ImageId, ami);
      assert.equal(i.InstanceType, 't3.micro');
      assert.equal(i.KeyName, 'lt-key');
      assert.deepEqual(i.SecurityGroups!.map((g) => g.GroupId), [sg]);
      assert.match(i.IamInstanceProfile!.Arn!, /^arn:aws:iam::\d{12}:instance-profile\/web-profile$/);
      assert.equal(i.MetadataOptions!.HttpTokens, 'optional');
      assert.equal(i.MetadataOptions!.HttpPutResponseHopLimit, 3);
      const tags = tagMap(i.Tags);
      assert.equal(tags['Name'], 'from-template');
      assert.equal(tags['aws:ec2launchtemplate:id'], template.LaunchTemplateId);
      assert.equal(tags['aws:ec2launchtemplate:version'], '1');
      const userData = (await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: i.InstanceId!, Attribute: 'userData' }))).UserData!.Value!;
      assert.equal(Buffer.from(userData, 'base64').toString(), '#!/bin/sh\necho hello');
      const volumes = (await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [i.InstanceId!] }] }))).Volumes!;
      const extra = volumes.find((v) => v.Attachments![0]!.Device === '/dev/sdf')!;
      assert.equal(extra.Size, 8);
      assert.equal(extra.VolumeType, 'gp3');
      assert.ok(volumes.every((v) => tagMap(v.Tags)['disk'] === 'template'));
      const nic = (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [i.NetworkInterfaces![0]!.NetworkInterfaceId!] }))).NetworkInterfaces![0]!;
      assert.equal(tagMap(nic.TagSet)['nic'], 'template');
    });

    it('the request wins over the template: type, groups, a metadata option, a tag; the rest comes from the template', async () => {
      const i = await runFrom({ LaunchTemplateId: template.LaunchTemplateId!, Version: '$Default' }, {
        InstanceType: 't3.large', SecurityGroupIds: [sg2], MetadataOptions: { HttpTokens: 'required' },
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'override' }] }],
      });
      assert.equal(i.InstanceType, 't3.large');
      assert.deepEqual(i.SecurityGroups!.map((g) => g.GroupId), [sg2]);
      assert.equal(i.MetadataOptions!.HttpTokens, 'required');
      assert.equal(i.MetadataOptions!.HttpPutResponseHopLimit, 3);
      assert.equal(i.KeyName, 'lt-key');
      const tags = tagMap(i.Tags);
      assert.equal(tags['Name'], 'override');
      assert.equal(tags['env'], 'test');
    });

    it('Version picks a number or $Latest, and the instance records the version it used', async () => {
      const second = await runFrom({ LaunchTemplateId: template.LaunchTemplateId!, Version: '2' });
      assert.equal(second.InstanceType, 't3.small');
      assert.equal(tagMap(second.Tags)['aws:ec2launchtemplate:version'], '2');
      const latest = await runFrom({ LaunchTemplateId: template.LaunchTemplateId!, Version: '$Latest' });
      assert.equal(latest.InstanceType, 't3.medium');
      assert.equal(tagMap(latest.Tags)['aws:ec2launchtemplate:version'], '3');
      const found = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:aws:ec2launchtemplate:version', Values: ['3'] }] }));
      assert.deepEqual(found.Reservations!.flatMap((r) => r.Instances!.map((x) => x.InstanceId)), [latest.InstanceId]);
    });

    it('a launch from a template that does not exist, or a version it does not have, fails and launches nothing', async () => {
      const before = (await ec2.send(new DescribeInstancesCommand({}))).Reservations!.length;
      const byName = await rejects(runFrom({ LaunchTemplateName: 'no-such-template' }));
      assert.equal(byName.name, 'InvalidLaunchTemplateName.NotFoundException');
      const byId = await rejects(runFrom({ LaunchTemplateId: 'lt-0123456789abcdef0' }));
      assert.equal(byId.name, 'InvalidLaunchTemplateId.NotFound');
      const malformed = await rejects(runFrom({ LaunchTemplateId: 'lt-123' }));
      assert.equal(malformed.name, 'InvalidLaunchTemplateId.Malformed');
      const version = await rejects(runFrom({ LaunchTemplateId: template.LaunchTemplateId!, Version: '42' }));
      assert.equal(version.name, 'InvalidLaunchTemplateId.VersionNotFound');
      const noImage = await create({ InstanceType: 't3.micro', ImageId: undefined });
      const missing = await rejects(runFrom({ LaunchTemplateId: noImage.LaunchTemplateId! }));
      assert.equal(missing.name, 'MissingParameter');
      assert.equal((await ec2.send(new DescribeInstancesCommand({}))).Reservations!.length, before);
    });

    it('the aws:ec2launchtemplate tags do not count toward an instance\'s 50 tags', async () => {
      const fifty = Array.from({ length: 50 }, (_, n) => ({ Key: `k${n}`, Value: String(n) }));
      const t = await create({ InstanceType: 't3.micro', TagSpecifications: [{ ResourceType: 'instance', Tags: fifty }] });
      const i = await runFrom({ LaunchTemplateId: t.LaunchTemplateId! });
      assert.equal(i.Tags!.length, 52);
      const more = await rejects(ec2.send(new CreateTagsCommand({ Resources: [i.InstanceId!], Tags: [{ Key: 'one-more', Value: 'x' }] })));
      assert.equal(more.name, 'TagLimitExceeded');
    });

    it('GetLaunchTemplateData gives an instance as template data, without the aws: tags', async () => {
      const i = await runFrom({ LaunchTemplateId: template.LaunchTemplateId! });
      const data = (await ec2.send(new GetLaunchTemplateDataCommand({ InstanceId: i.InstanceId! }))).LaunchTemplateData!;
      assert.equal(data.ImageId, ami);
      assert.equal(data.InstanceType, 't3.micro');
      assert.equal(data.KeyName, 'lt-key');
      assert.deepEqual(data.NetworkInterfaces![0]!.Groups, [sg]);
      assert.deepEqual(data.TagSpecifications, [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'from-template' }, { Key: 'env', Value: 'test' }] }]);
      assert.ok(data.BlockDeviceMappings!.some((m) => m.DeviceName === '/dev/sdf' && m.Ebs!.VolumeSize === 8));
      const missing = await rejects(ec2.send(new GetLaunchTemplateDataCommand({ InstanceId: 'i-0123456789abcdef0' })));
      assert.equal(missing.name, 'InvalidInstanceID.NotFound');
    });
  });

  describe('deleting', () => {
    it('DeleteLaunchTemplateVersions deletes each version it can and reports the default and missing ones per version', async () => {
      const t = await create({ InstanceType: 't3.micro' });
      for (let n = 0; n < 3; n++) await addVersion(t.LaunchTemplateId!, { InstanceType: 't3.small' });
      const r = await ec2.send(new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateId: t.LaunchTemplateId!, Versions: ['1', '4', '3', '9'] }));
      assert.deepEqual(r.SuccessfullyDeletedLaunchTemplateVersions!.map((v) => [v.LaunchTemplateId, v.LaunchTemplateName, v.VersionNumber]), [
        [t.LaunchTemplateId, t.LaunchTemplateName, 4], [t.LaunchTemplateId, t.LaunchTemplateName, 3],
      ]);
      assert.deepEqual(r.UnsuccessfullyDeletedLaunchTemplateVersions!.map((v) => [v.VersionNumber, v.ResponseError!.Code]), [
        [1, 'unexpectedError'], [9, 'launchTemplateVersionDoesNotExist'],
      ]);
      assert.match(r.UnsuccessfullyDeletedLaunchTemplateVersions![0]!.ResponseError!.Message!, /default version/);
      const after = (await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [t.LaunchTemplateId!] }))).LaunchTemplates![0]!;
      assert.equal(after.LatestVersionNumber, 2);
      const left = (await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: t.LaunchTemplateId! }))).LaunchTemplateVersions!;
      assert.deepEqual(left.map((v) => v.VersionNumber), [1, 2]);
      // Numbers are not given again: the next version is 5.
      assert.equal((await addVersion(t.LaunchTemplateId!, SOME)).VersionNumber, 5);
      const bad = await rejects(ec2.send(new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateId: t.LaunchTemplateId!, Versions: ['$Latest'] })));
      assert.equal(bad.name, 'InvalidParameterValue');
    });

    it('DeleteLaunchTemplate deletes the template, its versions and its tags; the name can be used again', async () => {
      const t = await create({}, { TagSpecifications: [{ ResourceType: 'launch-template', Tags: [{ Key: 'gone', Value: 'soon' }] }] });
      await addVersion(t.LaunchTemplateId!, { InstanceType: 't3.small' });
      const deleted = (await ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: t.LaunchTemplateName! }))).LaunchTemplate!;
      assert.equal(deleted.LaunchTemplateId, t.LaunchTemplateId);
      const gone = await rejects(ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: t.LaunchTemplateId! })));
      assert.equal(gone.name, 'InvalidLaunchTemplateId.NotFound');
      const tags = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [t.LaunchTemplateId!] }] }));
      assert.deepEqual(tags.Tags, []);
      const again = await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: t.LaunchTemplateName!, LaunchTemplateData: SOME }));
      assert.notEqual(again.LaunchTemplate!.LaunchTemplateId, t.LaunchTemplateId);
      assert.equal(again.LaunchTemplate!.LatestVersionNumber, 1);
    });
  });

  describe('quotas', () => {
    it('a region holds at most 5000 launch templates (MaxTemplateLimitExceeded)', async () => {
      const client = fresh();
      for (let batch = 0; batch < 50; batch++) {
        await Promise.all(Array.from({ length: 100 }, (_, n) => client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: `quota-${batch}-${n}`, LaunchTemplateData: SOME }))));
      }
      const err = await rejects(client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'one-too-many', LaunchTemplateData: SOME })));
      assert.equal(err.name, 'MaxTemplateLimitExceeded');
      const other = new EC2Client(clientConfig(nimbus, { region: 'eu-west-1', credentials: await client.config.credentials() }));
      await other.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'one-too-many', LaunchTemplateData: SOME }));
    });

    it('a template holds at most 10000 versions (MaxTemplateVersionLimitExceeded)', async () => {
      const t = await create();
      for (let batch = 0; batch < 100; batch++) {
        await Promise.all(Array.from({ length: 100 - (batch === 0 ? 1 : 0) }, () => addVersion(t.LaunchTemplateId!, SOME)));
      }
      const err = await rejects(addVersion(t.LaunchTemplateId!, SOME));
      assert.equal(err.name, 'MaxTemplateVersionLimitExceeded');
      await ec2.send(new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateId: t.LaunchTemplateId!, Versions: ['10000'] }));
      assert.equal((await addVersion(t.LaunchTemplateId!, SOME)).VersionNumber, 10001);
    });
  });

  describe('through the AWS CLI', () => {
    it('create, version, set the default, describe, launch, delete: the CLI round trip', async () => {
      const name = unique('cli');
      const created = await aws(nimbus, ['ec2', 'create-launch-template', '--launch-template-name', name, '--version-description', 'v1',
        '--launch-template-data', JSON.stringify({ ImageId: ami, InstanceType: 't3.micro', TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'via', Value: 'cli' }] }] }),
        '--tag-specifications', 'ResourceType=launch-template,Tags=[{Key=owner,Value=cli}]']);
      assert.equal(created.code, 0, created.stderr);
      const id = created.json.LaunchTemplate.LaunchTemplateId;
      assert.deepEqual(created.json.LaunchTemplate.Tags, [{ Key: 'owner', Value: 'cli' }]);
      const v2 = await aws(nimbus, ['ec2', 'create-launch-template-version', '--launch-template-id', id, '--source-version', '1',
        '--launch-template-data', JSON.stringify({ InstanceType: 't3.small' })]);
      assert.equal(v2.code, 0, v2.stderr);
      assert.equal(v2.json.LaunchTemplateVersion.VersionNumber, 2);
      assert.equal(v2.json.LaunchTemplateVersion.LaunchTemplateData.ImageId, ami);
      const modified = await aws(nimbus, ['ec2', 'modify-launch-template', '--launch-template-name', name, '--default-version', '2']);
      assert.equal(modified.code, 0, modified.stderr);
      assert.equal(modified.json.LaunchTemplate.DefaultVersionNumber, 2);
      const described = await aws(nimbus, ['ec2', 'describe-launch-template-versions', '--launch-template-id', id, '--versions', '$Default']);
      assert.equal(described.code, 0, described.stderr);
      assert.deepEqual(described.json.LaunchTemplateVersions.map((v: { VersionNumber: number; DefaultVersion: boolean }) => [v.VersionNumber, v.DefaultVersion]), [[2, true]]);
      const run = await aws(nimbus, ['ec2', 'run-instances', '--launch-template', `LaunchTemplateName=${name}`, '--count', '1']);
      assert.equal(run.code, 0, run.stderr);
      const instance = run.json.Instances[0];
      assert.equal(instance.InstanceType, 't3.small');
      assert.deepEqual(tagMap(instance.Tags)['aws:ec2launchtemplate:version'], '2');
      assert.equal(tagMap(instance.Tags)['via'], 'cli');
      const deleteDefault = await aws(nimbus, ['ec2', 'delete-launch-template-versions', '--launch-template-id', id, '--versions', '2', '1']);
      assert.equal(deleteDefault.code, 0, deleteDefault.stderr);
      assert.deepEqual(deleteDefault.json.SuccessfullyDeletedLaunchTemplateVersions.map((v: { VersionNumber: number }) => v.VersionNumber), [1]);
      assert.equal(deleteDefault.json.UnsuccessfullyDeletedLaunchTemplateVersions[0].ResponseError.Code, 'unexpectedError');
      const duplicate = await aws(nimbus, ['ec2', 'create-launch-template', '--launch-template-name', name, '--launch-template-data', JSON.stringify(SOME)]);
      assert.notEqual(duplicate.code, 0);
      assert.match(duplicate.stderr, /InvalidLaunchTemplateName\.AlreadyExistsException/);
      const deleted = await aws(nimbus, ['ec2', 'delete-launch-template', '--launch-template-id', id]);
      assert.equal(deleted.code, 0, deleted.stderr);
      const gone = await aws(nimbus, ['ec2', 'describe-launch-templates', '--launch-template-names', name]);
      assert.notEqual(gone.code, 0);
      assert.match(gone.stderr, /InvalidLaunchTemplateName\.NotFoundException/);
    });
  });
});
