import { createHash } from 'node:crypto';
import type {
  DeleteLaunchTemplateVersionsResponseErrorItem, DeleteLaunchTemplateVersionsResponseSuccessItem, LaunchTemplate, LaunchTemplateVersion, Operations,
  RequestLaunchTemplateData, ResponseLaunchTemplateData, RunInstancesRequest, Tag, TagSpecification,
} from '../../generated/types/ec2.js';
import { resourceId } from '../../ids.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext } from '../service.js';
import { applyFilters, byIds, paginate, type Fields } from './filters.js';
import {
  all, count, exists, get, idsWithPrefix, named, put, remove, removeWithIdPrefix, tagOnCreate, tagsOf, withClientToken, withIdPrefix, withTags, type Scope,
} from './store.js';
import type { LaunchTemplateDoc, LaunchTemplateVersionDoc } from './types.js';

/**
 * Launch templates: named sets of RunInstances parameters in immutable versions, numbered from 1
 * in the order they are made. One version is the default (`$Default`, and what a launch that
 * names no version uses); the highest is `$Latest`. Template data is kept as given and checked
 * only when an instance launches from it, as in AWS.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/launch-template-restrictions.html
 */
type Ctx = RequestContext;

const TEMPLATE_QUOTA = 5000;
const VERSION_QUOTA = 10000;
const DELETE_MAX = 200;
/** The resources a template's TagSpecifications may tag at launch (RequestLaunchTemplateData, TagSpecifications). */
const TAGGED_AT_LAUNCH = ['instance', 'volume', 'network-interface', 'spot-instances-request'];

function fail(code: string, message: string): AwsError {
  return new AwsError(code, message, { status: 400 });
}

function checkId(id: string): void {
  if (!/^lt-[0-9a-f]{17}$/.test(id)) {
    throw fail('InvalidLaunchTemplateId.Malformed', `The specified ID for the launch template, ${id}, is malformed. Launch template IDs have the form lt-0123456789abcdef0.`);
  }
}

/**
 * 3 to 128 letters, digits and `( ) . - / _`. The model's length limits are checked before the
 * handler; the characters are checked here. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html
 */
function checkName(name: string): void {
  if (!/^[a-zA-Z0-9().\-/_]{3,128}$/.test(name)) {
    throw fail('InvalidLaunchTemplateName.MalformedException', `The launch template name '${name}' is invalid. A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.`);
  }
}

function byName(s: Scope, name: string): LaunchTemplateDoc | undefined {
  return named<LaunchTemplateDoc>(s, 'launch-template', name);
}

/** The template a request names by LaunchTemplateId or by LaunchTemplateName, never both. */
function mustTemplate(s: Scope, named: { LaunchTemplateId?: string; LaunchTemplateName?: string }): LaunchTemplateDoc {
  const { LaunchTemplateId: id, LaunchTemplateName: name } = named;
  if (id && name) throw fail('InvalidParameterCombination', 'Specify either the launch template ID or the launch template name, but not both.');
  if (id) {
    checkId(id);
    const t = get<LaunchTemplateDoc>(s, id);
    if (!t) throw fail('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${id}, does not exist.`);
    return t;
  }
  if (name) {
    checkName(name);
    const t = byName(s, name);
    if (!t) throw fail('InvalidLaunchTemplateName.NotFoundException', `The specified launch template, with template name ${name}, does not exist.`);
    return t;
  }
  throw fail('MissingParameter', 'The request must contain the parameter launchTemplateName or launchTemplateId');
}

/** Versions are documents of their own, `ltv-<template>-<number>`, the number padded so that id order is version order. */
function versionPrefix(t: LaunchTemplateDoc): string {
  return `ltv-${t.LaunchTemplateId.slice('lt-'.length)}-`;
}

function versionId(t: LaunchTemplateDoc, n: number): string {
  return versionPrefix(t) + String(n).padStart(10, '0');
}

/** `$Latest`, `$Default` or a version number, the way every operation that takes a version spells it. */
function versionNumber(t: LaunchTemplateDoc, asked: string): number {
  if (asked === '$Latest') return t.LatestVersionNumber;
  if (asked === '$Default') return t.DefaultVersionNumber;
  if (!/^[1-9][0-9]*$/.test(asked)) throw fail('InvalidParameterValue', `Invalid launch template version '${asked}'. Specify a version number, $Latest or $Default.`);
  return Number(asked);
}

function mustVersion(s: Scope, t: LaunchTemplateDoc, asked: string): LaunchTemplateVersionDoc {
  const v = get<LaunchTemplateVersionDoc>(s, versionId(t, versionNumber(t, asked)));
  if (!v) throw fail('InvalidLaunchTemplateId.VersionNotFound', `Could not find the specified version ${asked} for the launch template with ID ${t.LaunchTemplateId}.`);
  return v;
}

function templateOutput(t: LaunchTemplateDoc, tags: Tag[]): LaunchTemplate {
  return {
    LaunchTemplateId: t.LaunchTemplateId, LaunchTemplateName: t.LaunchTemplateName, CreateTime: new Date(t.CreateTime), CreatedBy: t.CreatedBy,
    DefaultVersionNumber: t.DefaultVersionNumber, LatestVersionNumber: t.LatestVersionNumber, Tags: tags.length ? tags : undefined,
  };
}

function versionOutput(t: LaunchTemplateDoc, v: LaunchTemplateVersionDoc): LaunchTemplateVersion {
  return {
    LaunchTemplateId: v.LaunchTemplateId, LaunchTemplateName: v.LaunchTemplateName, VersionNumber: v.VersionNumber, VersionDescription: v.VersionDescription,
    CreateTime: new Date(v.CreateTime), CreatedBy: v.CreatedBy, DefaultVersion: v.VersionNumber === t.DefaultVersionNumber,
    // The request and response shapes of template data name their members alike, so the data answers as it was given.
    LaunchTemplateData: v.LaunchTemplateData as ResponseLaunchTemplateData,
  };
}

/**
 * What new version data is checked for when it is made; the rest waits for a launch. (The model's
 * limits, such as 255 characters of VersionDescription, are checked before any handler runs.)
 */
function checkData(data: RequestLaunchTemplateData): void {
  for (const spec of data.TagSpecifications ?? []) {
    if (!TAGGED_AT_LAUNCH.includes(spec.ResourceType ?? '')) {
      throw fail('InvalidParameterValue', `A launch template can tag only ${TAGGED_AT_LAUNCH.join(', ')} resources at launch, not '${spec.ResourceType}'. Tag the template itself with the request's TagSpecifications and resource type launch-template.`);
    }
  }
}

/** The request without its client token: what a retry with the same token must repeat. */
function fingerprint(input: object): string {
  const { ClientToken: _token, DryRun: _dry, ...rest } = input as { ClientToken?: string; DryRun?: boolean };
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

/** What an earlier call with this client token made, if it was the same request. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Run_Instance_Idempotency.html */
function earlier<T extends { _request?: string }>(s: Scope, type: string, token: string | undefined, request: string): T | undefined {
  if (!token) return undefined;
  const made = withClientToken<T>(s, type, token)[0];
  if (made && made._request !== request) {
    throw fail('IdempotentParameterMismatch', `The client token '${token}' was already used for a different request. Use a new client token for a new request.`);
  }
  return made;
}

function newVersion(ctx: Ctx, t: LaunchTemplateDoc, n: number, description: string | undefined, data: RequestLaunchTemplateData): LaunchTemplateVersionDoc {
  return {
    LaunchTemplateId: t.LaunchTemplateId, LaunchTemplateName: t.LaunchTemplateName, VersionNumber: n, VersionDescription: description,
    CreateTime: new Date(ctx.clock.now()).toISOString(), CreatedBy: ctx.caller.arn, LaunchTemplateData: data,
  };
}

/**
 * A version based on SourceVersion: the source's parameters, each one the request gives replacing
 * the source's. Snapshots in inherited block device mappings are left out unless the request gives
 * them again. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplateVersion.html
 */
function inherit(source: RequestLaunchTemplateData, given: RequestLaunchTemplateData): RequestLaunchTemplateData {
  const inherited: RequestLaunchTemplateData = { ...source };
  if (inherited.BlockDeviceMappings) {
    inherited.BlockDeviceMappings = inherited.BlockDeviceMappings.map((m) => (m.Ebs ? { ...m, Ebs: { ...m.Ebs, SnapshotId: undefined } } : m));
  }
  return { ...inherited, ...defined(given) };
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** DescribeLaunchTemplateVersions over every template takes only these; AWS words the rule for the CLI. */
const ACROSS_TEMPLATES = 'To describe the launch template data for all your launch templates, for ‘--versions’ specify ‘$Latest’, ‘$Default’, or both, and omit ‘--launch-template-id’, ‘--launch-template-name’, and version numbers. To describe the launch template data for a specific launch template, specify ‘--launch-template-id’ or ‘--launch-template-name’, and for ‘--versions’ specify one or more of the following values: ‘$Latest’, ‘$Default’, or one or more version numbers.';

/** The versions a DescribeLaunchTemplateVersions call names, each with its template: template by template, in version order, without repeats. */
function askedVersions(ctx: Ctx, input: Operations['DescribeLaunchTemplateVersions']['input']): [LaunchTemplateDoc, LaunchTemplateVersionDoc][] {
  const asked = input.Versions ?? [];
  if (input.LaunchTemplateId || input.LaunchTemplateName) {
    const t = mustTemplate(ctx, input);
    const versions = asked.length ? distinct(asked.map((a) => mustVersion(ctx, t, a))) : withIdPrefix<LaunchTemplateVersionDoc>(ctx, versionPrefix(t));
    return versions.map((v) => [t, v]);
  }
  if (asked.length === 0) throw fail('MissingParameter', ACROSS_TEMPLATES);
  if (asked.some((a) => a !== '$Latest' && a !== '$Default')) throw fail('InvalidParameterValue', ACROSS_TEMPLATES);
  return all<LaunchTemplateDoc>(ctx, 'launch-template').flatMap((t) => distinct(asked.map((a) => mustVersion(ctx, t, a))).map((v): [LaunchTemplateDoc, LaunchTemplateVersionDoc] => [t, v]));
}

/** Versions of one template, each once, in version order. */
function distinct(versions: LaunchTemplateVersionDoc[]): LaunchTemplateVersionDoc[] {
  const byNumber = new Map(versions.map((v) => [v.VersionNumber, v]));
  return [...byNumber.values()].sort((a, b) => a.VersionNumber - b.VersionNumber);
}

function versionBound(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) throw fail('InvalidParameterValue', `Value (${value}) for parameter ${name} is invalid. Specify a version number.`);
  return Number(value);
}

const templateFields: Fields<LaunchTemplateDoc> = {
  'create-time': (t) => t.CreateTime,
  'launch-template-name': (t) => t.LaunchTemplateName,
};

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeLaunchTemplateVersions.html */
const versionFields: Fields<LaunchTemplateVersion> = {
  'create-time': (v) => v.CreateTime?.toISOString(),
  'ebs-optimized': (v) => v.LaunchTemplateData?.EbsOptimized,
  'http-endpoint': (v) => v.LaunchTemplateData?.MetadataOptions?.HttpEndpoint,
  // The metadata service answers on IPv4 exactly when its endpoint is enabled.
  'http-protocol-ipv4': (v) => v.LaunchTemplateData?.MetadataOptions?.HttpEndpoint,
  'http-tokens': (v) => v.LaunchTemplateData?.MetadataOptions?.HttpTokens,
  'host-resource-group-arn': (v) => v.LaunchTemplateData?.Placement?.HostResourceGroupArn,
  'iam-instance-profile': (v) => [v.LaunchTemplateData?.IamInstanceProfile?.Arn, v.LaunchTemplateData?.IamInstanceProfile?.Name],
  'image-id': (v) => v.LaunchTemplateData?.ImageId,
  'instance-type': (v) => v.LaunchTemplateData?.InstanceType,
  'is-default-version': (v) => v.DefaultVersion,
  'kernel-id': (v) => v.LaunchTemplateData?.KernelId,
  'license-configuration-arn': (v) => v.LaunchTemplateData?.LicenseSpecifications?.map((l) => l.LicenseConfigurationArn),
  'network-card-index': (v) => v.LaunchTemplateData?.NetworkInterfaces?.map((n) => n.NetworkCardIndex),
  'ram-disk-id': (v) => v.LaunchTemplateData?.RamDiskId,
};

export const handlers: Handlers<Operations> = {
  CreateLaunchTemplate(input, ctx) {
    const request = fingerprint(input);
    const made = earlier<LaunchTemplateDoc>(ctx, 'launch-template', input.ClientToken, request);
    if (made) return { LaunchTemplate: templateOutput(made, tagsOf(ctx, made.LaunchTemplateId)) };
    checkName(input.LaunchTemplateName);
    checkData(input.LaunchTemplateData);
    const foreign = input.TagSpecifications?.find((spec) => spec.ResourceType !== 'launch-template');
    if (foreign) {
      throw fail('InvalidParameterValue', `'${foreign.ResourceType}' is not a valid taggable resource type for this operation. Tags for the resources an instance launches with belong in LaunchTemplateData.TagSpecifications.`);
    }
    if (byName(ctx, input.LaunchTemplateName)) throw fail('InvalidLaunchTemplateName.AlreadyExistsException', `Launch template name already in use: ${input.LaunchTemplateName}. Choose another name, or add a version to the existing template.`);
    if (count(ctx, 'launch-template') >= TEMPLATE_QUOTA) {
      throw fail('MaxTemplateLimitExceeded', `You've reached the limit of ${TEMPLATE_QUOTA} launch templates in ${ctx.region}. Delete launch templates you no longer use.`);
    }
    const t: LaunchTemplateDoc = {
      LaunchTemplateId: resourceId('lt'), LaunchTemplateName: input.LaunchTemplateName, CreateTime: new Date(ctx.clock.now()).toISOString(), CreatedBy: ctx.caller.arn,
      DefaultVersionNumber: 1, LatestVersionNumber: 1, ClientToken: input.ClientToken, _request: request, _lastNumber: 1, _versionCount: 1,
    };
    const tags = ctx.db.transaction(() => {
      put(ctx, t.LaunchTemplateId, t);
      put(ctx, versionId(t, 1), newVersion(ctx, t, 1, input.VersionDescription, input.LaunchTemplateData));
      return tagOnCreate(ctx, t.LaunchTemplateId, input.TagSpecifications);
    })();
    return { LaunchTemplate: templateOutput(t, tags) };
  },

  CreateLaunchTemplateVersion(input, ctx) {
    const t = mustTemplate(ctx, input);
    const request = fingerprint(input);
    const made = earlier<LaunchTemplateVersionDoc>(ctx, 'launch-template-version', input.ClientToken, request);
    if (made) return { LaunchTemplateVersion: versionOutput(t, made) };
    checkData(input.LaunchTemplateData);
    const data = input.SourceVersion === undefined ? input.LaunchTemplateData : inherit(mustVersion(ctx, t, input.SourceVersion).LaunchTemplateData, input.LaunchTemplateData);
    if (t._versionCount >= VERSION_QUOTA) {
      throw fail('MaxTemplateVersionLimitExceeded', `Launch template ${t.LaunchTemplateId} has reached the limit of ${VERSION_QUOTA} versions. Delete versions you no longer use.`);
    }
    const n = t._lastNumber + 1;
    const v = { ...newVersion(ctx, t, n, input.VersionDescription, data), ClientToken: input.ClientToken, _request: request };
    const updated: LaunchTemplateDoc = { ...t, LatestVersionNumber: n, _lastNumber: n, _versionCount: t._versionCount + 1 };
    ctx.db.transaction(() => {
      put(ctx, versionId(t, n), v);
      put(ctx, t.LaunchTemplateId, updated);
    })();
    return { LaunchTemplateVersion: versionOutput(updated, v) };
  },

  /** Sets the default version, the one launches use when they name none. */
  ModifyLaunchTemplate(input, ctx) {
    const t = mustTemplate(ctx, input);
    if (input.DefaultVersion !== undefined) {
      t.DefaultVersionNumber = mustVersion(ctx, t, input.DefaultVersion).VersionNumber;
      put(ctx, t.LaunchTemplateId, t);
    }
    return { LaunchTemplate: templateOutput(t, tagsOf(ctx, t.LaunchTemplateId)) };
  },

  DescribeLaunchTemplates(input, ctx) {
    for (const id of input.LaunchTemplateIds ?? []) checkId(id);
    for (const name of input.LaunchTemplateNames ?? []) checkName(name);
    let templates = withTags(ctx, 'launch-template', all<LaunchTemplateDoc>(ctx, 'launch-template'), (t) => t.LaunchTemplateId);
    const names = input.LaunchTemplateNames ?? [];
    if (names.length) {
      const missing = names.find((name) => !templates.some((t) => t.LaunchTemplateName === name));
      if (missing !== undefined) throw fail('InvalidLaunchTemplateName.NotFoundException', `At least one of the launch templates specified in the request does not exist: ${missing}.`);
      templates = templates.filter((t) => names.includes(t.LaunchTemplateName));
    }
    templates = byIds(templates, input.LaunchTemplateIds, (t) => t.LaunchTemplateId,
      (missing) => fail('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${missing[0]}, does not exist.`));
    const { page, NextToken } = paginate(applyFilters(templates, input.Filters, templateFields), input.MaxResults, input.NextToken, { min: 1, max: 200 });
    return { LaunchTemplates: page.map((t) => templateOutput(t, t.Tags ?? [])), NextToken };
  },

  DescribeLaunchTemplateVersions(input, ctx) {
    const min = versionBound(input.MinVersion, 'minVersion');
    const max = versionBound(input.MaxVersion, 'maxVersion');
    const versions = askedVersions(ctx, input)
      .filter(([, v]) => (min === undefined || v.VersionNumber >= min) && (max === undefined || v.VersionNumber <= max))
      .map(([t, v]) => versionOutput(t, v));
    const { page, NextToken } = paginate(applyFilters(versions, input.Filters, versionFields), input.MaxResults, input.NextToken, { min: 1, max: 200 });
    return { LaunchTemplateVersions: page, NextToken };
  },

  /** Deletes the template and every version of it. */
  DeleteLaunchTemplate(input, ctx) {
    const t = mustTemplate(ctx, input);
    const tags = tagsOf(ctx, t.LaunchTemplateId);
    ctx.db.transaction(() => {
      removeWithIdPrefix(ctx, versionPrefix(t));
      remove(ctx, t.LaunchTemplateId);
    })();
    return { LaunchTemplate: templateOutput(t, tags) };
  },

  /**
   * Deletes up to 200 versions, each on its own: one that cannot go (the default, or one that does
   * not exist) is reported and the others are deleted. $Latest becomes the highest version left.
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteLaunchTemplateVersions.html
   */
  DeleteLaunchTemplateVersions(input, ctx) {
    const t = mustTemplate(ctx, input);
    if (input.Versions.length > DELETE_MAX) {
      throw fail('InvalidParameterValue', `You can delete up to ${DELETE_MAX} launch template versions in one request, not ${input.Versions.length}. To delete every version, delete the launch template.`);
    }
    const malformed = input.Versions.find((v) => !/^[1-9][0-9]*$/.test(v));
    if (malformed !== undefined) throw fail('InvalidParameterValue', `Invalid launch template version number '${malformed}'. DeleteLaunchTemplateVersions takes version numbers.`);
    const template = { LaunchTemplateId: t.LaunchTemplateId, LaunchTemplateName: t.LaunchTemplateName };
    const deleted: DeleteLaunchTemplateVersionsResponseSuccessItem[] = [];
    const failed: DeleteLaunchTemplateVersionsResponseErrorItem[] = [];
    ctx.db.transaction(() => {
      for (const n of input.Versions.map(Number)) {
        if (n === t.DefaultVersionNumber) {
          failed.push({ ...template, VersionNumber: n, ResponseError: { Code: 'unexpectedError', Message: `Cannot delete the default version ${n} of the launch template. Set another version as the default first, or delete the launch template.` } });
        } else if (!exists(ctx, versionId(t, n))) {
          failed.push({ ...template, VersionNumber: n, ResponseError: { Code: 'launchTemplateVersionDoesNotExist', Message: `The specified launch template version ${n} does not exist.` } });
        } else {
          remove(ctx, versionId(t, n));
          deleted.push({ ...template, VersionNumber: n });
        }
      }
      if (deleted.length === 0) return;
      // The default version is never deleted, so at least one version is left.
      const left = idsWithPrefix(ctx, versionPrefix(t));
      const latest = Number(left[left.length - 1]!.slice(versionPrefix(t).length));
      put(ctx, t.LaunchTemplateId, { ...t, LatestVersionNumber: latest, _versionCount: left.length });
    })();
    return { SuccessfullyDeletedLaunchTemplateVersions: deleted, UnsuccessfullyDeletedLaunchTemplateVersions: failed };
  },
};

// ---- RunInstances from a launch template --------------------------------------------------

/** The template data as RunInstances members: most share their names; Monitoring, RamDiskId and ElasticGpuSpecifications do not quite. */
function asRunInstances(d: RequestLaunchTemplateData): Partial<RunInstancesRequest> {
  return {
    ImageId: d.ImageId, InstanceType: d.InstanceType, KeyName: d.KeyName, KernelId: d.KernelId, RamdiskId: d.RamDiskId, EbsOptimized: d.EbsOptimized,
    IamInstanceProfile: d.IamInstanceProfile, BlockDeviceMappings: d.BlockDeviceMappings, NetworkInterfaces: d.NetworkInterfaces,
    Monitoring: d.Monitoring?.Enabled === undefined ? undefined : { Enabled: d.Monitoring.Enabled }, Placement: d.Placement,
    DisableApiTermination: d.DisableApiTermination, DisableApiStop: d.DisableApiStop, InstanceInitiatedShutdownBehavior: d.InstanceInitiatedShutdownBehavior,
    UserData: d.UserData, TagSpecifications: d.TagSpecifications as TagSpecification[] | undefined, ElasticGpuSpecification: d.ElasticGpuSpecifications,
    ElasticInferenceAccelerators: d.ElasticInferenceAccelerators, SecurityGroupIds: d.SecurityGroupIds, SecurityGroups: d.SecurityGroups,
    InstanceMarketOptions: d.InstanceMarketOptions, CreditSpecification: d.CreditSpecification, CpuOptions: d.CpuOptions,
    CapacityReservationSpecification: d.CapacityReservationSpecification, LicenseSpecifications: d.LicenseSpecifications, HibernationOptions: d.HibernationOptions,
    MetadataOptions: d.MetadataOptions, EnclaveOptions: d.EnclaveOptions, PrivateDnsNameOptions: d.PrivateDnsNameOptions, MaintenanceOptions: d.MaintenanceOptions,
    NetworkPerformanceOptions: d.NetworkPerformanceOptions,
  };
}

function isStructure(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v);
}

/** Tags of both, per resource type and key; the request's value wins for a key both give. */
function mergedTags(template: TagSpecification[] | undefined, own: TagSpecification[] | undefined): TagSpecification[] | undefined {
  if (!template?.length) return own;
  const byType = new Map<string, Map<string, string>>();
  for (const spec of [...template, ...(own ?? [])]) {
    const type = spec.ResourceType ?? '';
    const tags = byType.get(type) ?? new Map<string, string>();
    byType.set(type, tags);
    for (const tag of spec.Tags ?? []) tags.set(tag.Key ?? '', tag.Value ?? '');
  }
  return [...byType].map(([type, tags]) => ({ ResourceType: type as TagSpecification['ResourceType'], Tags: [...tags].map(([Key, Value]) => ({ Key, Value })) }));
}

/**
 * The request and the template may put the subnet and security groups in different places (top
 * level, or the primary network interface); the request's still wins.
 */
function primaryInterface(merged: RunInstancesRequest, own: RunInstancesRequest): RunInstancesRequest {
  const [first, ...rest] = merged.NetworkInterfaces ?? [];
  if (!first) return merged;
  const out = { ...merged };
  const nic = { ...first };
  if (!own.NetworkInterfaces?.length) {
    if (own.SubnetId) { nic.SubnetId = own.SubnetId; delete out.SubnetId; }
    if (own.SecurityGroupIds?.length) { nic.Groups = own.SecurityGroupIds; delete out.SecurityGroupIds; }
  } else {
    if (nic.SubnetId && !own.SubnetId) delete out.SubnetId;
    if (nic.Groups?.length && !own.SecurityGroupIds) delete out.SecurityGroupIds;
  }
  out.NetworkInterfaces = [nic, ...rest];
  return out;
}

/**
 * RunInstances with a LaunchTemplate: the version's parameters under the request's own, which
 * override them (API_RunInstances.html, LaunchTemplate). A structure the request gives in part
 * (Placement, MetadataOptions) keeps the template's other members. Instances launched so carry
 * AWS's `aws:ec2launchtemplate:id` and `aws:ec2launchtemplate:version` tags.
 */
export function fromLaunchTemplate(s: Scope, input: RunInstancesRequest): { request: RunInstancesRequest; tags: { Key: string; Value: string }[] } {
  if (!input.LaunchTemplate) return { request: input, tags: [] };
  const t = mustTemplate(s, input.LaunchTemplate);
  const v = mustVersion(s, t, input.LaunchTemplate.Version ?? '$Default');
  const merged: Record<string, unknown> = { ...input };
  for (const [key, value] of Object.entries(asRunInstances(v.LaunchTemplateData))) {
    if (value === undefined) continue;
    const own = merged[key];
    if (own === undefined) merged[key] = value;
    else if (isStructure(own) && isStructure(value)) merged[key] = { ...value, ...defined(own) };
  }
  merged['TagSpecifications'] = mergedTags(v.LaunchTemplateData.TagSpecifications as TagSpecification[] | undefined, input.TagSpecifications);
  return {
    request: primaryInterface(merged as unknown as RunInstancesRequest, input),
    tags: [{ Key: 'aws:ec2launchtemplate:id', Value: t.LaunchTemplateId }, { Key: 'aws:ec2launchtemplate:version', Value: String(v.VersionNumber) }],
  };
}
