import type { Operations } from '../../generated/types/ec2.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handler, Handlers, ServiceDefinition } from '../service.js';
import { handlers as addresses } from './addresses.js';
import { handlers as dhcpOptions } from './dhcp-options.js';
import { handlers as endpoints } from './endpoints.js';
import { handlers as gateways } from './gateways.js';
import { handlers as images } from './images.js';
import { handlers as instanceTypes } from './instance-types.js';
import { handlers as insights } from './insights.js';
import { handlers as instanceProfiles } from './instance-profiles.js';
import { handlers as instanceAttributes } from './instance-attributes.js';
import { handlers as instances } from './instances.js';
import { handlers as interfaces } from './interfaces.js';
import { handlers as keypairs } from './keypairs.js';
import { handlers as launchTemplates } from './launch-templates.js';
import { handlers as networkAcls } from './network-acls.js';
import { settle } from './lifecycle.js';
import { ensureDefaultVpc } from './network.js';
import { handlers as peering } from './peering.js';
import { handlers as regions } from './regions.js';
import { handlers as routeTables } from './route-tables.js';
import { handlers as securityGroups } from './security-groups.js';
import { handlers as snapshots } from './snapshots.js';
import { migrations } from './store.js';
import { handlers as subnets } from './subnets.js';
import { handlers as tags } from './tags.js';
import { handlers as volumes } from './volumes.js';
import { handlers as vpcs } from './vpcs.js';

/**
 * EC2 and VPC. Before any operation runs, the region has its default VPC (AWS creates one
 * per region with the account) and every transition that has come due has settled, so each
 * handler sees the world as a Describe call would. A DryRun request has passed authorization
 * by the time it gets here, which is all that EC2 checks before answering DryRunOperation.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/CommonParameters.html
 */
const all: Handlers<Operations> = {
  ...regions, ...instanceTypes, ...images, ...keypairs, ...instances, ...instanceAttributes, ...instanceProfiles, ...launchTemplates, ...interfaces, ...volumes, ...snapshots,
  ...vpcs, ...subnets, ...securityGroups, ...routeTables, ...gateways, ...networkAcls, ...addresses, ...peering, ...endpoints, ...dhcpOptions, ...insights, ...tags,
};

const handlers = Object.fromEntries(Object.entries(all).map(([name, handler]) => [name, ((input: { DryRun?: boolean }, ctx) => {
  if (input.DryRun) throw new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', { status: 412 });
  ensureDefaultVpc(ctx);
  settle(ctx, ctx.clock.now());
  return (handler as Handler)(input, ctx);
}) as Handler])) as Handlers<Operations>;

export const service: ServiceDefinition<Operations> = { migrations, handlers };
