import type {
  Address, DhcpOptions, Image, InstanceMetadataOptionsRequest, InternetGateway, KeyPairInfo, NatGateway, NetworkAcl, NetworkInterface,
  NetworkInsightsAnalysis, NetworkInsightsPath, RequestLaunchTemplateData, RouteTable, Snapshot, Subnet, Volume, VolumeModification, Vpc, VpcEndpoint, VpcPeeringConnection,
} from '../../generated/types/ec2.js';
import type { InstanceTypeName } from './instance-types.js';

export type MetadataOptions = Required<InstanceMetadataOptionsRequest>;

/**
 * The documents the store holds. Each is the resource in its Describe shape; fields that start
 * with `_` are Nimbus's own bookkeeping and never reach the wire (the encoder writes only the
 * members the model names).
 */
export type VpcDoc = Vpc & { VpcId: string; CidrBlock: string; _dnsSupport: boolean; _dnsHostnames: boolean };
export type SubnetDoc = Subnet & { SubnetId: string; VpcId: string; CidrBlock: string; AvailabilityZone: string };
export type IgwDoc = InternetGateway & { InternetGatewayId: string };
export type RouteTableDoc = RouteTable & { RouteTableId: string; VpcId: string };
export type NaclDoc = NetworkAcl & { NetworkAclId: string; VpcId: string };
export type EniDoc = NetworkInterface & { NetworkInterfaceId: string; SubnetId: string; VpcId: string; PrivateIpAddress: string };
export type NatDoc = NatGateway & { NatGatewayId: string; _deletedAt?: number };
export type AddressDoc = Address & { AllocationId: string; PublicIp: string };
/** `_modification` is the volume's latest ModifyVolume, as DescribeVolumesModifications shows it. */
export type VolumeDoc = Volume & { VolumeId: string; AvailabilityZone: string; Size: number; _modification?: VolumeModification };
export type SnapshotDoc = Snapshot & { SnapshotId: string };
export type ImageDoc = Image & { ImageId: string; _launchPermissions: { UserId?: string; Group?: 'all' }[] };
export type KeyPairDoc = KeyPairInfo & { KeyPairId: string; KeyName: string };
export type PathDoc = NetworkInsightsPath & { NetworkInsightsPathId: string };
export type AnalysisDoc = NetworkInsightsAnalysis & { NetworkInsightsAnalysisId: string };

/** One security group rule, the unit AWS gives an id (sgr-) and the analyzer evaluates. */
export interface SgRule {
  SecurityGroupRuleId: string;
  IsEgress: boolean;
  /** `-1` (all), `tcp`, `udp`, `icmp`, `icmpv6` or a protocol number. */
  IpProtocol: string;
  FromPort: number;
  ToPort: number;
  CidrIpv4?: string;
  CidrIpv6?: string;
  ReferencedGroupId?: string;
  PrefixListId?: string;
  Description?: string;
}

export interface SecurityGroupDoc {
  GroupId: string;
  GroupName: string;
  Description: string;
  VpcId: string;
  OwnerId: string;
  SecurityGroupArn: string;
  _rules: SgRule[];
}

export interface InstanceDoc {
  InstanceId: string;
  ImageId: string;
  InstanceType: InstanceTypeName;
  KeyName?: string;
  LaunchTime: string;
  AvailabilityZone: string;
  SubnetId: string;
  VpcId: string;
  /** The primary network interface, which holds the addresses and security groups. */
  _eni: string;
  State: { Code: number; Name: 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped' };
  StateTransitionReason: string;
  StateReason?: { Code: string; Message: string };
  AmiLaunchIndex: number;
  ReservationId: string;
  ClientToken?: string;
  UserData?: string;
  /** With the association that attached it (DescribeIamInstanceProfileAssociations). */
  IamInstanceProfile?: { Arn: string; Id: string; _associationId: string; _associatedAt: number };
  Architecture: 'x86_64' | 'arm64' | 'i386';
  Platform?: 'Windows';
  PlatformDetails: string;
  RootDeviceName: string;
  Monitoring: 'disabled' | 'enabled';
  Tenancy: string;
  DisableApiTermination: boolean;
  DisableApiStop: boolean;
  InstanceInitiatedShutdownBehavior: 'stop' | 'terminate';
  EbsOptimized: boolean;
  /** Whether the instance got a public address at launch (and so gets a new one on each start). */
  _autoPublicIp: boolean;
  /** Volumes attached at some point; their attachments say whether they still are. */
  _volumes: string[];
  /** Interfaces attached after launch (device index 1 and up). */
  _secondaryEnis?: string[];
  /** The instance metadata service (IMDS) options; launches without any get `DEFAULT_METADATA`. */
  _metadata?: MetadataOptions;
  /** Burstable types only: `standard` or `unlimited` CPU credits. */
  _cpuCredits?: 'standard' | 'unlimited';
  _terminatedAt?: number;
}
export type DhcpDoc = DhcpOptions & { DhcpOptionsId: string; _default: boolean };
export type PeeringDoc = VpcPeeringConnection & { VpcPeeringConnectionId: string };
export type EndpointDoc = VpcEndpoint & { VpcEndpointId: string; VpcId: string; _prefixListId: string };

/**
 * A launch template. Version numbers only grow (a deleted version's number is not given again):
 * `_lastNumber` is the highest given, `_versionCount` how many versions exist now (the quota counts those).
 */
export interface LaunchTemplateDoc {
  LaunchTemplateId: string;
  LaunchTemplateName: string;
  CreateTime: string;
  CreatedBy: string;
  DefaultVersionNumber: number;
  LatestVersionNumber: number;
  ClientToken?: string;
  /** A digest of the create request, to tell an idempotent retry from a reused client token. */
  _request?: string;
  _lastNumber: number;
  _versionCount: number;
}

/** One version of a launch template: its data exactly as the request gave it (after SourceVersion). */
export interface LaunchTemplateVersionDoc {
  LaunchTemplateId: string;
  LaunchTemplateName: string;
  VersionNumber: number;
  VersionDescription?: string;
  CreateTime: string;
  CreatedBy: string;
  LaunchTemplateData: RequestLaunchTemplateData;
  ClientToken?: string;
  _request?: string;
}
