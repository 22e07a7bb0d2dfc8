import type { Database } from '../state/database.js';
import type { Handler, ResourcePolicyHook, ServiceDefinition } from './service.js';

/**
 * The services implemented in this build, each imported the first time a request needs it.
 * Written out rather than found by listing folders, so that start-up touches no directory and
 * the bundler (scripts/bundle.mjs) sees every service as a chunk of its own.
 */
const SERVICES: Record<string, () => Promise<{ service: ServiceDefinition }>> = {
  dynamodb: () => import('./dynamodb/index.js'),
  dynamodbstreams: () => import('./dynamodbstreams/index.js'),
  ec2: () => import('./ec2/index.js'),
  iam: () => import('./iam/index.js'),
  s3: () => import('./s3/index.js'),
  sns: () => import('./sns/index.js'),
  sqs: () => import('./sqs/index.js'),
  sts: () => import('./sts/index.js'),
};

export function implementedServices(): string[] {
  return Object.keys(SERVICES);
}

/**
 * Loads a service the first time it is called (start-up loads none), applying its schema
 * migrations then. Extra handlers given to `startNimbus` take precedence, which is how tests
 * exercise a protocol before its service exists.
 */
export class ServiceRegistry {
  private readonly loaded = new Map<string, Promise<ServiceDefinition | undefined>>();
  readonly available: Set<string>;

  constructor(
    private readonly db: Database,
    private readonly extra: Record<string, Record<string, Handler>> = {},
    private readonly extraResourcePolicies: Record<string, ResourcePolicyHook> = {},
  ) {
    this.available = new Set([...implementedServices(), ...Object.keys(extra)]);
  }

  isLoaded(service: string): boolean {
    return this.loaded.has(service);
  }

  load(service: string): Promise<ServiceDefinition | undefined> {
    let p = this.loaded.get(service);
    if (!p) {
      const importService = SERVICES[service];
      p = importService
        ? importService().then((m) => {
            this.db.migrate(m.service.migrations ?? []);
            return m.service;
          })
        : Promise.resolve(undefined);
      this.loaded.set(service, p);
    }
    return p;
  }

  async intercept(service: string): Promise<ServiceDefinition['intercept']> {
    return (await this.load(service))?.intercept;
  }

  /** The resource-policy hook of a service (see ServiceDefinition.resourcePolicy); given ones first. */
  async resourcePolicy(service: string): Promise<ResourcePolicyHook | undefined> {
    return this.extraResourcePolicies[service] ?? (this.available.has(service) ? (await this.load(service))?.resourcePolicy : undefined);
  }

  async handler(service: string, operation: string): Promise<Handler | undefined> {
    const extra = this.extra[service]?.[operation];
    if (extra) return extra;
    const def = await this.load(service);
    return (def?.handlers as Record<string, Handler> | undefined)?.[operation];
  }
}
