import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Authorizer } from './gateway/authorize.js';
import { Recorder, type LogLevel } from './gateway/record.js';
import { VERSION } from './package.js';
import { createHandler } from './server.js';
import { Http1Server } from './gateway/http1.js';
import { ServiceRegistry } from './services/registry.js';
import { AWS_LIMITS, type Handler, type Limits, type ResourcePolicyHook, type ServiceEnv, type ServiceRequest } from './services/service.js';
import { BlobStore } from './state/blobs.js';
import { Clock } from './state/clock.js';
import { CredentialStore } from './state/credentials.js';
import { Database } from './state/database.js';
import { EventBus } from './state/events.js';

export interface NimbusOptions {
  /** 4566 by default; 0 picks a free port. */
  port?: number;
  host?: string;
  /** Where state lives; `.nimbus` in the working directory by default. */
  dataDir?: string;
  /** Keep nothing: state in memory, blobs in a temporary folder removed on stop. */
  ephemeral?: boolean;
  region?: string;
  accountId?: string;
  logLevel?: LogLevel;
  /** Largest request body buffered in memory (streamed uploads are not bounded by this). */
  maxBodyBytes?: number;
  /** Extra handlers by service and operation, used before the built-in ones. */
  handlers?: Record<string, Record<string, Handler>>;
  /** The IAM enforcement hook; replaces the one `enforceIam` chooses. */
  authorize?: Authorizer;
  /**
   * Evaluate every request against IAM, as AWS does: callers other than an account's root user
   * need policies that allow what they do. Off by default, when every signed caller may do anything.
   */
  enforceIam?: boolean;
  /**
   * Lifecycle transitions (an instance's pending -> running, a volume's creating -> available)
   * take AWS-like durations on the Nimbus clock, instead of settling on the next read.
   */
  realisticTiming?: boolean;
  /** Resource-policy hooks by service, used before the built-in ones (tests, services still to come). */
  resourcePolicies?: Record<string, ResourcePolicyHook>;
  /** AWS quotas lowered, to meet their errors without their sizes (AWS's values by default). */
  limits?: Partial<Limits>;
}

export interface Nimbus {
  endpoint: string;
  port: number;
  /** The instance's clock, for tests and tools in the same process. */
  clock: Clock;
  stop(): Promise<void>;
}

/** Starts a Nimbus instance; resolves once it accepts requests. Many can run in one process. */
/** How long an idle keep-alive connection stays open (SDKs reuse theirs for far less). */
const KEEP_ALIVE_MS = 60_000;

export async function startNimbus(options: NimbusOptions = {}): Promise<Nimbus> {
  const startedAt = Date.now();
  const ephemeral = options.ephemeral ?? false;
  const dataDir = ephemeral ? mkdtempSync(join(tmpdir(), 'nimbus-')) : resolve(options.dataDir ?? '.nimbus');
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(ephemeral ? ':memory:' : join(dataDir, 'nimbus.db'));
  const savedOffset = Number(db.getMeta('clock_offset_ms') ?? 0);
  const clock = new Clock(savedOffset, (offset) => db.setMeta('clock_offset_ms', String(offset)));
  const blobs = new BlobStore(join(dataDir, 'blobs'), db);
  const credentials = new CredentialStore(db);
  const services = new ServiceRegistry(db, options.handlers, options.resourcePolicies);
  const bus = new EventBus(db.sql, async (service, event) => {
    const def = await services.load(service);
    const handler = def?.events?.[event];
    return handler ? (payload) => handler(payload, env) : undefined;
  }, () => clock.now());
  const accountId = options.accountId ?? '000000000000';
  const region = options.region ?? 'us-east-1';
  const memory = new Map<string, unknown>();
  const env: ServiceEnv = {
    endpoint: '',
    memory<T>(key: string, create: (instance: ServiceEnv) => T): T {
      if (!memory.has(key)) memory.set(key, create(env));
      return memory.get(key) as T;
    },
    db: db.sql, blobs, bus, clock, credentials, defaultAccountId: accountId, defaultRegion: region,
    realisticTiming: options.realisticTiming ?? false,
    limits: { ...AWS_LIMITS, ...options.limits },
  };
  // The policy engine loads only when IAM is enforced: a third of the modules start-up would read.
  const iam = options.enforceIam ? await import('./gateway/authorize.js') : undefined;
  if (iam) env.allowsService = (request: ServiceRequest) => iam.serviceAllowed(env, request);
  const recorder = new Recorder(options.logLevel ?? 'info');

  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const handler = createHandler({
    env,
    auth: { credentials, clock, defaultAccountId: accountId },
    services,
    recorder,
    authorize: options.authorize ?? iam?.enforceIam(services),
    maxBodyBytes,
    internal: {
      version: VERSION,
      startedAt,
      services,
      clock,
      recorder,
      reset: () => {
        db.reset();
        blobs.clear();
        memory.clear();
      },
      env,
    },
  });
  const fallback = createServer({ keepAliveTimeout: KEEP_ALIVE_MS }, (req, res) => void handler.incoming(req, res));
  const server = new Http1Server(handler, fallback, { keepAliveMs: KEEP_ALIVE_MS, maxBodyBytes });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 4566, options.host ?? '127.0.0.1', () => ok());
  });
  const address = server.address() as AddressInfo;
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  env.endpoint = `http://${host === '127.0.0.1' ? 'localhost' : host}:${address.port}`;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: env.endpoint,
    port: address.port,
    clock,
    stop() {
      stopped ??= new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }).then(() => {
        bus.stop();
        clock.stop();
        db.close();
        if (ephemeral) rmSync(dataDir, { recursive: true, force: true });
      });
      return stopped;
    },
  };
}

export type { Handler, RequestContext, ServiceDefinition } from './services/service.js';
export { AwsError } from './protocols/errors.js';
export { VERSION } from './package.js';
