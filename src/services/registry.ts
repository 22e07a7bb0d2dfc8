import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../state/database.js';
import type { Handler, ResourcePolicyHook, ServiceDefinition } from './service.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Services implemented in this build: the folders under services/ that have an index. */
export function implementedServices(): string[] {
  return readdirSync(here, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'index.js')))
    .map((d) => d.name)
    .sort();
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
      p = existsSync(join(here, service, 'index.js'))
        ? import(`./${service}/index.js`).then((m: { service: ServiceDefinition }) => {
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
