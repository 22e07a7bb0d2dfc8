import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRoot } from '../package.js';

/**
 * The AWS API models (DESIGN.md §1). `src/generated/services.json` indexes every service of the
 * pinned aws-sdk v2 models; services Nimbus implements have their full model (with enums and
 * length/range constraints) in `src/generated/models/`. A model is read from disk the first
 * time its service is called, never at start-up.
 */
export type Protocol = 'query' | 'ec2' | 'json' | 'rest-json' | 'rest-xml';

export interface ServiceEntry {
  file: string;
  protocol: Protocol;
  apiVersion: string;
  endpointPrefix: string;
  signingName: string;
  serviceId: string;
  targetPrefix?: string;
  jsonVersion?: string;
  xmlNamespace?: string;
  global?: boolean;
  model?: string;
}

/** A shape, or a reference to one with the member's own traits; both forms of the models. */
export interface Shape {
  shape?: string;
  type?: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'float' | 'double' | 'boolean' | 'timestamp' | 'blob' | 'bigdecimal' | 'biginteger';
  members?: Record<string, Shape>;
  required?: string[];
  payload?: string;
  member?: Shape;
  key?: Shape;
  value?: Shape;
  flattened?: boolean;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  location?: 'header' | 'headers' | 'querystring' | 'uri' | 'statusCode';
  locationName?: string;
  queryName?: string;
  xmlAttribute?: boolean;
  xmlNamespace?: string | { prefix?: string; uri: string };
  timestampFormat?: 'iso8601' | 'rfc822' | 'unixTimestamp';
  jsonvalue?: boolean;
  streaming?: boolean;
  idempotencyToken?: boolean;
  hostLabel?: boolean;
  eventstream?: boolean;
  document?: boolean;
  exception?: boolean;
  error?: { code?: string; httpStatusCode?: number; senderFault?: boolean };
  resultWrapper?: string;
  sensitive?: boolean;
}

/** A structure member with its reference resolved, as the codecs walk it. */
export interface Member {
  name: string;
  /** The name on the wire: the reference's locationName, or the member name. */
  wire: string;
  /** The name as AWS writes it in a validation error's path: lowerCamel (`keySchema`). */
  path: string;
  ref: Shape;
  shape: Shape;
}

/** A structure's members, by member name and by wire name, for walking values rather than models. */
export interface Members {
  list: Member[];
  byName: Map<string, Member>;
  byWire: Map<string, Member>;
}

export interface Operation {
  name: string;
  http: { method: string; requestUri: string; responseCode?: number };
  input?: Shape;
  output?: Shape;
  errors?: Shape[];
}

export interface RawModel {
  metadata: Record<string, unknown> & { protocol: Protocol; awsQueryCompatible?: object };
  operations: Record<string, Omit<Operation, 'name'> & { name?: string }>;
  shapes: Record<string, Shape>;
}

const generated = join(packageRoot, 'src/generated');
let index: Record<string, ServiceEntry> | undefined;

/** Every service of the models; read only for a service Nimbus does not implement. */
export function serviceIndex(): Record<string, ServiceEntry> {
  index ??= JSON.parse(readFileSync(join(generated, 'services.json'), 'utf8')) as Record<string, ServiceEntry>;
  return index;
}

/**
 * What routing reads, generated from services.json by scripts/gen-routes.mjs: the lookup tables,
 * and the entries of the services Nimbus implements. A fifth of the size of the index, and
 * already in the shape routing needs.
 */
export interface RoutingIndex {
  bySigningName: Record<string, string[]>;
  byTargetPrefix: Record<string, string>;
  byEndpointPrefix: Record<string, string[]>;
  byVersion: Record<string, string[]>;
  /** Services of the query and ec2 protocols, told apart by Version where they share a signing name. */
  queryLike: string[];
  entries: Record<string, ServiceEntry>;
}

let routing: RoutingIndex | undefined;

export function routingIndex(): RoutingIndex {
  routing ??= JSON.parse(readFileSync(join(generated, 'routes.json'), 'utf8')) as RoutingIndex;
  return routing;
}

export class ServiceModel {
  readonly operations = new Map<string, Operation>();
  readonly protocol: Protocol;
  readonly metadata: RawModel['metadata'];
  private readonly shapes: Record<string, Shape>;
  private readonly resolved = new WeakMap<Shape, Shape>();
  private readonly memberTables = new WeakMap<Shape, Members>();
  private errorsByCode: Map<string, Shape> | undefined;
  private anyAnonymous: boolean | undefined;

  constructor(readonly id: string, readonly entry: ServiceEntry, readonly raw: RawModel) {
    this.metadata = raw.metadata;
    this.protocol = raw.metadata.protocol;
    this.shapes = raw.shapes;
    for (const [name, op] of Object.entries(raw.operations)) {
      this.operations.set(name, { ...op, name, http: { method: op.http?.method ?? 'POST', requestUri: op.http?.requestUri ?? '/', ...(op.http?.responseCode ? { responseCode: op.http.responseCode } : {}) } });
    }
  }

  /** Whether some operation is answered without a signature (STS AssumeRoleWithWebIdentity, ...). */
  get hasAnonymousOperations(): boolean {
    this.anyAnonymous ??= [...this.operations.values()].some(allowsAnonymous);
    return this.anyAnonymous;
  }

  /** The shape a reference points at, with the reference's own traits laid over it. */
  resolve(ref: Shape): Shape {
    let out = this.resolved.get(ref);
    if (out) return out;
    if (ref.shape) {
      const target = this.shapes[ref.shape];
      if (!target) throw new Error(`${this.id}: unknown shape ${ref.shape}`);
      const base = target.shape ? this.resolve(target) : target;
      const { shape: _name, ...traits } = ref;
      out = { ...base, ...traits };
      // A member is serialized under its own name unless its reference renames it.
      if (traits.locationName === undefined) delete out.locationName;
    } else {
      out = ref.type ? ref : { type: 'string', ...ref };
    }
    this.resolved.set(ref, out);
    return out;
  }

  /** A resolved structure's members, worked out once: codecs walk them on every request. */
  members(shape: Shape): Members {
    let out = this.memberTables.get(shape);
    if (!out) {
      const list = Object.entries(shape.members ?? {}).map(([name, ref]) => ({ name, wire: ref.locationName ?? name, path: name.charAt(0).toLowerCase() + name.slice(1), ref, shape: this.resolve(ref) }));
      out = { list, byName: new Map(list.map((m) => [m.name, m])), byWire: new Map(list.map((m) => [m.wire, m])) };
      this.memberTables.set(shape, out);
    }
    return out;
  }

  /** The structure's own XML name (e.g. S3's `ListAllMyBucketsResult`), when the model gives one. */
  shapeName(ref: Shape): string | undefined {
    return ref.shape ? this.shapes[ref.shape]?.locationName : undefined;
  }

  /** The error shape for a code, by shape name or by its declared `error.code`. */
  errorShape(code: string): Shape | undefined {
    if (!this.errorsByCode) {
      this.errorsByCode = new Map();
      for (const [name, s] of Object.entries(this.shapes)) {
        if (!s.exception) continue;
        this.errorsByCode.set(name, s);
        if (s.error?.code) this.errorsByCode.set(s.error.code, s);
      }
    }
    return this.errorsByCode.get(code);
  }
}

const models = new Map<string, ServiceModel>();

export function loadModel(id: string): ServiceModel {
  let m = models.get(id);
  if (m) return m;
  const entry = routingIndex().entries[id] ?? serviceIndex()[id];
  if (!entry) throw new Error(`no model for service ${id}`);
  const file = entry.model ? join(generated, entry.model) : join(sdkApis(), entry.file);
  m = new ServiceModel(id, entry, JSON.parse(readFileSync(file, 'utf8')) as RawModel);
  models.set(id, m);
  return m;
}

function sdkApis(): string {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('aws-sdk/package.json')), 'apis');
  if (!existsSync(dir)) throw new Error('aws-sdk models are not installed');
  return dir;
}

/** Operations AWS answers without a signature (STS AssumeRoleWithWebIdentity, ...). */
export function allowsAnonymous(op: Operation): boolean {
  const raw = op as Operation & { authtype?: string; auth?: string[] };
  return raw.authtype === 'none' || (raw.auth?.includes('smithy.api#noAuth') ?? false);
}
