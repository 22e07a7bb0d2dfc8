import type { Operations } from '../../generated/types/iam.js';
import type { Handler, Handlers, ServiceDefinition } from '../service.js';
import { accessKeys } from './access-keys.js';
import { account } from './account.js';
import { entityPolicies } from './entity-policies.js';
import { groups } from './groups.js';
import { instanceProfiles } from './instance-profiles.js';
import { mfaDevices } from './mfa.js';
import { oidcProviders } from './oidc-providers.js';
import { policies } from './policies.js';
import { policyCache, resourceFacts } from './principals.js';
import { roles } from './roles.js';
import { samlProviders } from './saml-providers.js';
import { migrations } from './schema.js';
import { simulator } from './simulate.js';
import { users } from './users.js';

/**
 * IAM: users, groups, roles, policies, keys and the simulator. Global: state is per account,
 * whatever the region of the request.
 */
const all: Handlers<Operations> = { ...users, ...groups, ...roles, ...policies, ...entityPolicies, ...accessKeys, ...instanceProfiles, ...mfaDevices, ...oidcProviders, ...samlProviders, ...account, ...simulator };

/** Operations that only read; every other one may change what a principal is allowed to do. */
const READS = /^(Get|List|Simulate|Generate)/;

/**
 * A write forgets the compiled policies of every principal, so the next request sees the change;
 * a write that fails half-way may have changed something too.
 */
function invalidating(name: string, handler: Handler): Handler {
  if (READS.test(name)) return handler;
  return (input, ctx) => {
    try {
      return handler(input, ctx);
    } finally {
      policyCache(ctx).clear();
    }
  };
}

export const service: ServiceDefinition<Operations> = {
  migrations,
  handlers: Object.fromEntries(Object.entries(all).map(([name, h]) => [name, invalidating(name, h as Handler)])) as Handlers<Operations>,
  resourcePolicy: resourceFacts,
};
