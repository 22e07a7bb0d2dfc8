import type { InstanceTypeInfo, InstanceTypeOffering, Operations } from '../../generated/types/ec2.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import { applyFilters, paginate, type Fields } from './filters.js';
import { zonesOf } from './regions.js';

/**
 * The instance type catalog: the current families people start with, with the facts AWS
 * publishes for them (vCPUs, memory, processor, network performance, instance storage, GPUs).
 * https://docs.aws.amazon.com/ec2/latest/instancetypes/
 */
export type InstanceTypeName = NonNullable<InstanceTypeInfo['InstanceType']>;

interface Family {
  arch: 'x86_64' | 'arm64';
  cpu: string;
  ghz: number;
  hypervisor: 'nitro' | 'xen';
  burstable?: boolean;
  /** size, vCPUs, memory GiB, network performance, [instance store disks, GB each, type], [GPUs] */
  sizes: [string, number, number, string, ([number, number, 'ssd' | 'hdd'] | null)?, number?][];
  gpu?: { name: string; manufacturer: string; memoryMiB: number };
}

const upTo = (g: string) => `Up to ${g} Gigabit`;

const FAMILIES: Record<string, Family> = {
  t2: { arch: 'x86_64', cpu: 'Intel', ghz: 2.5, hypervisor: 'xen', burstable: true, sizes: [
    ['nano', 1, 0.5, 'Low to Moderate'], ['micro', 1, 1, 'Low to Moderate'], ['small', 1, 2, 'Low to Moderate'], ['medium', 2, 4, 'Low to Moderate'],
    ['large', 2, 8, 'Low to Moderate'], ['xlarge', 4, 16, 'Moderate'], ['2xlarge', 8, 32, 'Moderate']] },
  t3: { arch: 'x86_64', cpu: 'Intel', ghz: 2.5, hypervisor: 'nitro', burstable: true, sizes: [
    ['nano', 2, 0.5, upTo('5')], ['micro', 2, 1, upTo('5')], ['small', 2, 2, upTo('5')], ['medium', 2, 4, upTo('5')],
    ['large', 2, 8, upTo('5')], ['xlarge', 4, 16, upTo('5')], ['2xlarge', 8, 32, upTo('5')]] },
  t3a: { arch: 'x86_64', cpu: 'AMD', ghz: 2.2, hypervisor: 'nitro', burstable: true, sizes: [
    ['nano', 2, 0.5, upTo('5')], ['micro', 2, 1, upTo('5')], ['small', 2, 2, upTo('5')], ['medium', 2, 4, upTo('5')],
    ['large', 2, 8, upTo('5')], ['xlarge', 4, 16, upTo('5')], ['2xlarge', 8, 32, upTo('5')]] },
  t4g: { arch: 'arm64', cpu: 'AWS', ghz: 2.5, hypervisor: 'nitro', burstable: true, sizes: [
    ['nano', 2, 0.5, upTo('5')], ['micro', 2, 1, upTo('5')], ['small', 2, 2, upTo('5')], ['medium', 2, 4, upTo('5')],
    ['large', 2, 8, upTo('5')], ['xlarge', 4, 16, upTo('5')], ['2xlarge', 8, 32, upTo('5')]] },
  m5: { arch: 'x86_64', cpu: 'Intel', ghz: 3.1, hypervisor: 'nitro', sizes: [
    ['large', 2, 8, upTo('10')], ['xlarge', 4, 16, upTo('10')], ['2xlarge', 8, 32, upTo('10')], ['4xlarge', 16, 64, upTo('10')],
    ['8xlarge', 32, 128, '10 Gigabit'], ['12xlarge', 48, 192, '12 Gigabit'], ['16xlarge', 64, 256, '20 Gigabit'], ['24xlarge', 96, 384, '25 Gigabit']] },
  m6i: { arch: 'x86_64', cpu: 'Intel', ghz: 3.5, hypervisor: 'nitro', sizes: [
    ['large', 2, 8, upTo('12.5')], ['xlarge', 4, 16, upTo('12.5')], ['2xlarge', 8, 32, upTo('12.5')], ['4xlarge', 16, 64, upTo('12.5')],
    ['8xlarge', 32, 128, '12.5 Gigabit'], ['12xlarge', 48, 192, '18.75 Gigabit'], ['16xlarge', 64, 256, '25 Gigabit'], ['24xlarge', 96, 384, '37.5 Gigabit'], ['32xlarge', 128, 512, '50 Gigabit']] },
  m7i: { arch: 'x86_64', cpu: 'Intel', ghz: 3.2, hypervisor: 'nitro', sizes: [
    ['large', 2, 8, upTo('12.5')], ['xlarge', 4, 16, upTo('12.5')], ['2xlarge', 8, 32, upTo('12.5')], ['4xlarge', 16, 64, upTo('12.5')],
    ['8xlarge', 32, 128, '12.5 Gigabit'], ['12xlarge', 48, 192, '18.75 Gigabit'], ['16xlarge', 64, 256, '25 Gigabit'], ['24xlarge', 96, 384, '37.5 Gigabit'], ['48xlarge', 192, 768, '50 Gigabit']] },
  m7g: { arch: 'arm64', cpu: 'AWS', ghz: 2.6, hypervisor: 'nitro', sizes: [
    ['medium', 1, 4, upTo('12.5')], ['large', 2, 8, upTo('12.5')], ['xlarge', 4, 16, upTo('12.5')], ['2xlarge', 8, 32, upTo('15')], ['4xlarge', 16, 64, upTo('15')],
    ['8xlarge', 32, 128, '15 Gigabit'], ['12xlarge', 48, 192, '22.5 Gigabit'], ['16xlarge', 64, 256, '30 Gigabit']] },
  c5: { arch: 'x86_64', cpu: 'Intel', ghz: 3.4, hypervisor: 'nitro', sizes: [
    ['large', 2, 4, upTo('10')], ['xlarge', 4, 8, upTo('10')], ['2xlarge', 8, 16, upTo('10')], ['4xlarge', 16, 32, upTo('10')],
    ['9xlarge', 36, 72, '12 Gigabit'], ['12xlarge', 48, 96, '12 Gigabit'], ['18xlarge', 72, 144, '25 Gigabit'], ['24xlarge', 96, 192, '25 Gigabit']] },
  c6i: { arch: 'x86_64', cpu: 'Intel', ghz: 3.5, hypervisor: 'nitro', sizes: [
    ['large', 2, 4, upTo('12.5')], ['xlarge', 4, 8, upTo('12.5')], ['2xlarge', 8, 16, upTo('12.5')], ['4xlarge', 16, 32, upTo('12.5')],
    ['8xlarge', 32, 64, '12.5 Gigabit'], ['12xlarge', 48, 96, '18.75 Gigabit'], ['16xlarge', 64, 128, '25 Gigabit'], ['24xlarge', 96, 192, '37.5 Gigabit'], ['32xlarge', 128, 256, '50 Gigabit']] },
  c7g: { arch: 'arm64', cpu: 'AWS', ghz: 2.6, hypervisor: 'nitro', sizes: [
    ['medium', 1, 2, upTo('12.5')], ['large', 2, 4, upTo('12.5')], ['xlarge', 4, 8, upTo('12.5')], ['2xlarge', 8, 16, upTo('15')], ['4xlarge', 16, 32, upTo('15')],
    ['8xlarge', 32, 64, '15 Gigabit'], ['12xlarge', 48, 96, '22.5 Gigabit'], ['16xlarge', 64, 128, '30 Gigabit']] },
  r5: { arch: 'x86_64', cpu: 'Intel', ghz: 3.1, hypervisor: 'nitro', sizes: [
    ['large', 2, 16, upTo('10')], ['xlarge', 4, 32, upTo('10')], ['2xlarge', 8, 64, upTo('10')], ['4xlarge', 16, 128, upTo('10')],
    ['8xlarge', 32, 256, '10 Gigabit'], ['12xlarge', 48, 384, '12 Gigabit'], ['16xlarge', 64, 512, '20 Gigabit'], ['24xlarge', 96, 768, '25 Gigabit']] },
  r6i: { arch: 'x86_64', cpu: 'Intel', ghz: 3.5, hypervisor: 'nitro', sizes: [
    ['large', 2, 16, upTo('12.5')], ['xlarge', 4, 32, upTo('12.5')], ['2xlarge', 8, 64, upTo('12.5')], ['4xlarge', 16, 128, upTo('12.5')],
    ['8xlarge', 32, 256, '12.5 Gigabit'], ['12xlarge', 48, 384, '18.75 Gigabit'], ['16xlarge', 64, 512, '25 Gigabit'], ['24xlarge', 96, 768, '37.5 Gigabit'], ['32xlarge', 128, 1024, '50 Gigabit']] },
  r7g: { arch: 'arm64', cpu: 'AWS', ghz: 2.6, hypervisor: 'nitro', sizes: [
    ['medium', 1, 8, upTo('12.5')], ['large', 2, 16, upTo('12.5')], ['xlarge', 4, 32, upTo('12.5')], ['2xlarge', 8, 64, upTo('15')], ['4xlarge', 16, 128, upTo('15')],
    ['8xlarge', 32, 256, '15 Gigabit'], ['12xlarge', 48, 384, '22.5 Gigabit'], ['16xlarge', 64, 512, '30 Gigabit']] },
  i3: { arch: 'x86_64', cpu: 'Intel', ghz: 2.3, hypervisor: 'xen', sizes: [
    ['large', 2, 15.25, upTo('10'), [1, 475, 'ssd']], ['xlarge', 4, 30.5, upTo('10'), [1, 950, 'ssd']], ['2xlarge', 8, 61, upTo('10'), [1, 1900, 'ssd']],
    ['4xlarge', 16, 122, upTo('10'), [2, 1900, 'ssd']], ['8xlarge', 32, 244, '10 Gigabit', [4, 1900, 'ssd']], ['16xlarge', 64, 488, '25 Gigabit', [8, 1900, 'ssd']]] },
  i4i: { arch: 'x86_64', cpu: 'Intel', ghz: 3.5, hypervisor: 'nitro', sizes: [
    ['large', 2, 16, upTo('10'), [1, 468, 'ssd']], ['xlarge', 4, 32, upTo('25'), [1, 937, 'ssd']], ['2xlarge', 8, 64, upTo('12'), [1, 1875, 'ssd']],
    ['4xlarge', 16, 128, upTo('25'), [1, 3750, 'ssd']], ['8xlarge', 32, 256, '18.75 Gigabit', [2, 3750, 'ssd']], ['16xlarge', 64, 512, '37.5 Gigabit', [4, 3750, 'ssd']],
    ['32xlarge', 128, 1024, '75 Gigabit', [8, 3750, 'ssd']]] },
  d3: { arch: 'x86_64', cpu: 'Intel', ghz: 3.1, hypervisor: 'nitro', sizes: [
    ['xlarge', 4, 32, upTo('15'), [3, 2000, 'hdd']], ['2xlarge', 8, 64, upTo('15'), [6, 2000, 'hdd']], ['4xlarge', 16, 128, upTo('15'), [12, 2000, 'hdd']],
    ['8xlarge', 32, 256, '25 Gigabit', [24, 2000, 'hdd']]] },
  g4dn: { arch: 'x86_64', cpu: 'Intel', ghz: 2.5, hypervisor: 'nitro', gpu: { name: 'T4', manufacturer: 'NVIDIA', memoryMiB: 16384 }, sizes: [
    ['xlarge', 4, 16, upTo('25'), [1, 125, 'ssd'], 1], ['2xlarge', 8, 32, upTo('25'), [1, 225, 'ssd'], 1], ['4xlarge', 16, 64, upTo('25'), [1, 225, 'ssd'], 1],
    ['8xlarge', 32, 128, '50 Gigabit', [1, 900, 'ssd'], 1], ['12xlarge', 48, 192, '50 Gigabit', [1, 900, 'ssd'], 4], ['16xlarge', 64, 256, '50 Gigabit', [1, 900, 'ssd'], 1]] },
  g5: { arch: 'x86_64', cpu: 'AMD', ghz: 3.3, hypervisor: 'nitro', gpu: { name: 'A10G', manufacturer: 'NVIDIA', memoryMiB: 24576 }, sizes: [
    ['xlarge', 4, 16, upTo('10'), [1, 250, 'ssd'], 1], ['2xlarge', 8, 32, upTo('10'), [1, 450, 'ssd'], 1], ['4xlarge', 16, 64, upTo('25'), [1, 600, 'ssd'], 1],
    ['8xlarge', 32, 128, '25 Gigabit', [1, 900, 'ssd'], 1], ['12xlarge', 48, 192, '40 Gigabit', [1, 3800, 'ssd'], 4], ['16xlarge', 64, 256, '25 Gigabit', [1, 1900, 'ssd'], 1],
    ['24xlarge', 96, 384, '50 Gigabit', [1, 3800, 'ssd'], 4], ['48xlarge', 192, 768, '100 Gigabit', [2, 3800, 'ssd'], 8]] },
  p3: { arch: 'x86_64', cpu: 'Intel', ghz: 2.3, hypervisor: 'xen', gpu: { name: 'V100', manufacturer: 'NVIDIA', memoryMiB: 16384 }, sizes: [
    ['2xlarge', 8, 61, upTo('10'), null, 1], ['8xlarge', 32, 244, '10 Gigabit', null, 4], ['16xlarge', 64, 488, '25 Gigabit', null, 8]] },
};

/** ENIs and IPv4 addresses per ENI follow the size (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/AvailableIpPerENI.html). */
function interfaces(vcpus: number, size: string): [number, number] {
  if (size === 'nano' || size === 'micro') return [2, 2];
  if (size === 'small') return [3, 4];
  if (size === 'medium') return [3, 6];
  if (vcpus <= 2) return [3, 10];
  if (vcpus <= 8) return [4, 15];
  if (vcpus <= 64) return [8, 30];
  return [15, 50];
}

function build(): InstanceTypeInfo[] {
  const out: InstanceTypeInfo[] = [];
  for (const [family, f] of Object.entries(FAMILIES)) {
    for (const [size, vcpus, gib, network, disks, gpus] of f.sizes) {
      const name = `${family}.${size}` as InstanceTypeName;
      const [enis, ips] = interfaces(vcpus, size);
      const threads = f.arch === 'arm64' || vcpus === 1 ? 1 : 2;
      out.push({
        InstanceType: name,
        CurrentGeneration: true,
        FreeTierEligible: name === 't2.micro' || name === 't3.micro',
        SupportedUsageClasses: ['on-demand', 'spot'],
        SupportedRootDeviceTypes: ['ebs'],
        SupportedVirtualizationTypes: ['hvm'],
        BareMetal: false,
        Hypervisor: f.hypervisor,
        ProcessorInfo: { SupportedArchitectures: family === 't2' && vcpus === 1 ? ['i386', 'x86_64'] : [f.arch], SustainedClockSpeedInGhz: f.ghz, Manufacturer: f.cpu },
        VCpuInfo: { DefaultVCpus: vcpus, DefaultCores: vcpus / threads, DefaultThreadsPerCore: threads },
        MemoryInfo: { SizeInMiB: Math.round(gib * 1024) },
        InstanceStorageSupported: !!disks,
        ...(disks ? { InstanceStorageInfo: { TotalSizeInGB: disks[0] * disks[1], Disks: [{ Count: disks[0], SizeInGB: disks[1], Type: disks[2] }], NvmeSupport: 'required', EncryptionSupport: 'required' } } : {}),
        EbsInfo: { EbsOptimizedSupport: f.hypervisor === 'nitro' ? 'default' : 'supported', EncryptionSupport: 'supported', NvmeSupport: f.hypervisor === 'nitro' ? 'required' : 'unsupported' },
        NetworkInfo: {
          NetworkPerformance: network, MaximumNetworkInterfaces: enis, MaximumNetworkCards: 1, DefaultNetworkCardIndex: 0,
          Ipv4AddressesPerInterface: ips, Ipv6AddressesPerInterface: ips, Ipv6Supported: f.hypervisor === 'nitro' || family === 't2',
          EnaSupport: f.hypervisor === 'nitro' ? 'required' : 'supported', EfaSupported: false, EncryptionInTransitSupported: f.hypervisor === 'nitro' && f.arch === 'x86_64' && !f.burstable,
        },
        ...(gpus && f.gpu ? { GpuInfo: { Gpus: [{ Name: f.gpu.name, Manufacturer: f.gpu.manufacturer, Count: gpus, MemoryInfo: { SizeInMiB: f.gpu.memoryMiB } }], TotalGpuMemoryInMiB: gpus * f.gpu.memoryMiB } } : {}),
        PlacementGroupInfo: { SupportedStrategies: f.burstable ? ['partition', 'spread'] : ['cluster', 'partition', 'spread'] },
        HibernationSupported: f.arch === 'x86_64' && !gpus,
        BurstablePerformanceSupported: !!f.burstable,
        DedicatedHostsSupported: !f.burstable,
        AutoRecoverySupported: !disks,
        SupportedBootModes: f.arch === 'arm64' ? ['uefi'] : ['legacy-bios', 'uefi'],
      });
    }
  }
  return out;
}

/** The catalog, built once per instance of Nimbus (it is immutable data). */
export function catalog(ctx: { memory<T>(key: string, create: () => T): T }): Map<string, InstanceTypeInfo> {
  return ctx.memory('ec2.instanceTypes', () => new Map(build().map((t) => [t.InstanceType!, t])));
}

const typeFields: Fields<InstanceTypeInfo> = {
  'instance-type': (t) => t.InstanceType,
  'current-generation': (t) => t.CurrentGeneration,
  'free-tier-eligible': (t) => t.FreeTierEligible,
  'bare-metal': (t) => t.BareMetal,
  'burstable-performance-supported': (t) => t.BurstablePerformanceSupported,
  'hibernation-supported': (t) => t.HibernationSupported,
  hypervisor: (t) => t.Hypervisor,
  'instance-storage-supported': (t) => t.InstanceStorageSupported,
  'instance-storage-info.total-size-in-gb': (t) => t.InstanceStorageInfo?.TotalSizeInGB,
  'memory-info.size-in-mib': (t) => t.MemoryInfo?.SizeInMiB,
  'network-info.network-performance': (t) => t.NetworkInfo?.NetworkPerformance,
  'network-info.ipv6-supported': (t) => t.NetworkInfo?.Ipv6Supported,
  'network-info.maximum-network-interfaces': (t) => t.NetworkInfo?.MaximumNetworkInterfaces,
  'processor-info.supported-architecture': (t) => t.ProcessorInfo?.SupportedArchitectures,
  'processor-info.sustained-clock-speed-in-ghz': (t) => t.ProcessorInfo?.SustainedClockSpeedInGhz,
  'supported-root-device-type': (t) => t.SupportedRootDeviceTypes,
  'supported-usage-class': (t) => t.SupportedUsageClasses,
  'supported-virtualization-type': (t) => t.SupportedVirtualizationTypes,
  'vcpu-info.default-vcpus': (t) => t.VCpuInfo?.DefaultVCpus,
  'vcpu-info.default-cores': (t) => t.VCpuInfo?.DefaultCores,
  'gpu-info.total-gpu-memory-in-mib': (t) => t.GpuInfo?.TotalGpuMemoryInMiB,
};

const offeringFields: Fields<InstanceTypeOffering> = {
  'instance-type': (o) => o.InstanceType,
  location: (o) => o.Location,
};

export const handlers: Handlers<Operations> = {
  DescribeInstanceTypes(input, ctx) {
    const types = catalog(ctx);
    let list = [...types.values()];
    if (input.InstanceTypes?.length) {
      const unknown = input.InstanceTypes.filter((t) => !types.has(t));
      if (unknown.length) throw new AwsError('InvalidInstanceType', `The following supplied instance types do not exist: [${unknown.join(', ')}]`, { status: 400 });
      list = input.InstanceTypes.map((t) => types.get(t)!);
    }
    const { page, NextToken } = paginate(applyFilters(list, input.Filters, typeFields), input.MaxResults, input.NextToken, { min: 5, max: 100 });
    return { InstanceTypes: page, NextToken };
  },

  DescribeInstanceTypeOfferings(input, ctx) {
    const where = input.LocationType ?? 'region';
    const locations = where === 'region' ? [ctx.region]
      : zonesOf(ctx.region).map((z) => (where === 'availability-zone' ? z.ZoneName : z.ZoneId));
    const offerings: InstanceTypeOffering[] = [];
    for (const location of locations) {
      for (const name of catalog(ctx).keys()) offerings.push({ InstanceType: name as InstanceTypeName, LocationType: where, Location: location });
    }
    const { page, NextToken } = paginate(applyFilters(offerings, input.Filters, offeringFields), input.MaxResults, input.NextToken, { min: 5, max: 1000 });
    return { InstanceTypeOfferings: page, NextToken };
  },
};
