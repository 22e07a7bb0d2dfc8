import type { HttpRequest } from '../gateway/request.js';
import { HTTP_HEADERS, HTTP_STATUS, type Decoded, type RouteInfo } from './codec.js';
import { AwsError } from './errors.js';
import type { Member, Operation, ServiceModel, Shape } from './model.js';
import { parseScalar } from './scalars.js';
import { formatTimestamp } from './timestamps.js';

/**
 * What `rest-json` and `rest-xml` share: finding the operation from the method and the URI
 * template of each operation (`PUT /{Bucket}/{Key+}?tagging`), and the members bound to the
 * URI, the query string, headers and the status code.
 */
type Segment = { literal: string } | { label: string; greedy: boolean };

interface Template {
  op: Operation;
  segments: Segment[];
  /** Literal query keys of the template (`?uploads`, `?list-type=2`). */
  query: [string, string | undefined][];
  /** Required members bound to query or headers: their presence tells apart PutObject and UploadPart. */
  requiredQuery: string[];
  requiredHeaders: string[];
  literals: number;
}

const templates = new WeakMap<ServiceModel, Map<string, Template[]>>();

function compile(model: ServiceModel): Map<string, Template[]> {
  let byMethod = templates.get(model);
  if (byMethod) return byMethod;
  byMethod = new Map();
  for (const op of model.operations.values()) {
    const [path, qs] = op.http.requestUri.split('?', 2) as [string, string | undefined];
    const parts = path.split('/').slice(1);
    if (parts[parts.length - 1] === '') parts.pop();
    const segments: Segment[] = parts.map((s) => {
      const m = /^\{([^}+]+)(\+?)\}$/.exec(s);
      return m ? { label: m[1]!, greedy: m[2] === '+' } : { literal: s };
    });
    const query: [string, string | undefined][] = qs
      ? qs.split('&').map((p) => { const [k, v] = p.split('=', 2); return [k!, v]; })
      : [];
    const input = op.input ? model.resolve(op.input) : undefined;
    const requiredQuery: string[] = [];
    const requiredHeaders: string[] = [];
    for (const name of input?.required ?? []) {
      const ref = input!.members![name]!;
      if (ref.location === 'querystring') requiredQuery.push(ref.locationName ?? name);
      if (ref.location === 'header') requiredHeaders.push((ref.locationName ?? name).toLowerCase());
    }
    const literals = segments.filter((s) => 'literal' in s).length + query.length * 2 + requiredQuery.length + requiredHeaders.length;
    const t: Template = { op, segments, query, requiredQuery, requiredHeaders, literals };
    const list = byMethod.get(op.http.method) ?? [];
    list.push(t);
    byMethod.set(op.http.method, list);
  }
  // Where a deprecated operation shares its URI with its successor (S3's GetBucketLifecycle and
  // GetBucketLifecycleConfiguration), the successor is what current clients mean.
  const deprecated = (t: Template) => Number((t.op as Operation & { deprecated?: boolean }).deprecated === true);
  for (const list of byMethod.values()) list.sort((a, b) => b.literals - a.literals || b.segments.length - a.segments.length || deprecated(a) - deprecated(b));
  templates.set(model, byMethod);
  return byMethod;
}

/** Raw path segments of the request, with an S3 virtual-hosted bucket put in front. */
export function requestSegments(req: HttpRequest, route: RouteInfo): string[] {
  const segments = req.path.split('/').slice(1);
  if (route.hostBucket !== undefined) segments.unshift(encodeURIComponent(route.hostBucket));
  // `/bucket/` addresses the bucket, as `/bucket` does.
  if (segments.length === 2 && segments[1] === '') segments.pop();
  if (segments.length === 1 && segments[0] === '') segments.pop();
  return segments;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AwsError('InvalidURI', "Couldn't parse the specified URI.", { status: 400 });
  }
}

function matchSegments(t: Template, segments: string[]): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  for (let i = 0; i < t.segments.length; i++) {
    const s = t.segments[i]!;
    if ('literal' in s) {
      if (segments[i] !== s.literal) return undefined;
    } else if (s.greedy) {
      const rest = segments.slice(i).join('/');
      if (rest === '') return undefined;
      labels[s.label] = decode(rest);
      return labels;
    } else {
      if (segments[i] === undefined || segments[i] === '') return undefined;
      labels[s.label] = decode(segments[i]!);
    }
  }
  // A trailing slash is the same path without it, unless a greedy label took it.
  const extraSlash = segments.length === t.segments.length + 1 && segments[segments.length - 1] === '';
  return segments.length === t.segments.length || extraSlash ? labels : undefined;
}

export function matchOperation(model: ServiceModel, req: HttpRequest, route: RouteInfo): { op: Operation; labels: Record<string, string> } {
  const candidates = compile(model).get(req.method) ?? [];
  const segments = requestSegments(req, route);
  // The v3 SDK names the operation in `x-id` where the URI alone is ambiguous.
  const xid = req.query.get('x-id');
  let best: { op: Operation; labels: Record<string, string> } | undefined;
  for (const t of candidates) {
    if (!t.query.every(([k, v]) => (v === undefined ? req.query.has(k) : req.query.get(k) === v))) continue;
    if (!t.requiredQuery.every((k) => req.query.has(k))) continue;
    if (!t.requiredHeaders.every((h) => req.headers[h] !== undefined)) continue;
    const labels = matchSegments(t, segments);
    if (!labels) continue;
    if (xid === t.op.name) return { op: t.op, labels };
    best ??= { op: t.op, labels };
  }
  if (best) return best;
  throw new AwsError('UnknownOperationException', `No operation of ${model.entry.serviceId} matches ${req.method} ${req.path}.`, { status: 404 });
}

interface Bound extends Member {
  /** The wire name lower-cased, as node:http keys headers. */
  lower: string;
}

/**
 * The members of a structure bound to the HTTP message rather than its body, worked out once per
 * shape: an S3 object operation has some fifty members, of which a request sets a handful.
 */
const boundMembers = new WeakMap<Shape, Bound[]>();

function bound(model: ServiceModel, shape: Shape): Bound[] {
  let list = boundMembers.get(shape);
  if (!list) {
    list = model.members(shape).list.filter((m) => m.ref.location !== undefined).map((m) => ({ ...m, lower: m.wire.toLowerCase() }));
    boundMembers.set(shape, list);
  }
  return list;
}

/** Members bound to the URI, query string and headers, typed by their shapes. */
export function decodeBindings(model: ServiceModel, input: Shape, req: HttpRequest, labels: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const members = bound(model, input);
  for (const { name, wire: key, lower, ref, shape } of members) {
    switch (ref.location) {
      case 'uri':
        if (labels[key] !== undefined) out[name] = scalar(shape, labels[key]!, key);
        break;
      case 'querystring':
        if (shape.type === 'list') {
          const all = req.query.getAll(key);
          if (all.length) out[name] = all.map((v) => scalar(model.resolve(shape.member!), v, key));
        } else if (shape.type === 'map') {
          const m: Record<string, unknown> = {};
          for (const [k, v] of req.query) if (!members.some((b) => b.ref.location === 'querystring' && b.wire === k)) m[k] = v;
          if (Object.keys(m).length) out[name] = m;
        } else if (req.query.has(key)) {
          out[name] = scalar(shape, req.query.get(key)!, key);
        }
        break;
      case 'header': {
        const v = req.header(lower);
        if (v === undefined) break;
        if (shape.type === 'list') out[name] = v.split(',').map((s) => s.trim()).filter(Boolean);
        else if (shape.jsonvalue) out[name] = JSON.parse(Buffer.from(v, 'base64').toString('utf8'));
        else out[name] = scalar(shape, v, key);
        break;
      }
      case 'headers': {
        const m: Record<string, string> = {};
        for (const [h, v] of Object.entries(req.headers)) {
          if (h.startsWith(lower) && v !== undefined) m[h.slice(lower.length)] = Array.isArray(v) ? v.join(',') : v;
        }
        if (Object.keys(m).length) out[name] = m;
        break;
      }
      default:
    }
  }
  return out;
}

function scalar(shape: Shape, text: string, key: string): unknown {
  const parsed = parseScalar(shape, text);
  if (!parsed.ok) throw new AwsError('InvalidArgument', `Invalid value '${text}' for ${key}: expected ${shape.type}.`, { status: 400 });
  return parsed.value;
}

/** Output members bound to headers and the status code. */
export function encodeBindings(model: ServiceModel, output: Shape, value: Record<string, unknown>, headers: Record<string, string | string[]>): number | undefined {
  let status: number | undefined;
  for (const { name, wire: key, lower, ref, shape } of bound(model, output)) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    if (ref.location === 'statusCode') status = v as number;
    else if (ref.location === 'header') headers[lower] = headerText(shape, v);
    else if (ref.location === 'headers') {
      for (const [k, hv] of Object.entries(v as Record<string, string>)) headers[(key + k).toLowerCase()] = String(hv);
    }
  }
  Object.assign(headers, (value as { [HTTP_HEADERS]?: Record<string, string> })[HTTP_HEADERS]);
  return status ?? (value as { [HTTP_STATUS]?: number })[HTTP_STATUS];
}

function headerText(shape: Shape, v: unknown): string {
  switch (shape.type) {
    case 'timestamp':
      return String(formatTimestamp(v instanceof Date ? v : new Date(v as string), shape.timestampFormat ?? 'rfc822'));
    case 'list':
      return (v as unknown[]).map(String).join(', ');
    case 'blob':
      return Buffer.isBuffer(v) ? v.toString('base64') : String(v);
    default:
      return shape.jsonvalue ? Buffer.from(JSON.stringify(v)).toString('base64') : String(v);
  }
}

/** Streaming payloads up to this many bytes are handed to the handler as one Buffer. */
const SMALL_STREAMING_PAYLOAD = 64 * 1024;

/**
 * The request side of both rest protocols: the operation from the URI, the bound members, then
 * the body: a streaming payload as the request stream (or whole, when small), other payloads and body members parsed
 * by the protocol's `parse` (JSON or XML).
 */
export async function decodeRest(req: HttpRequest, model: ServiceModel, route: RouteInfo,
  parse: (shape: Shape, body: Buffer, path: string) => unknown | Promise<unknown>): Promise<Decoded> {
  const { op, labels } = matchOperation(model, req, route);
  if (!op.input) return { operation: op, input: {} };
  const shape = model.resolve(op.input);
  const input = decodeBindings(model, shape, req, labels);
  if (shape.payload) {
    const ref = shape.members![shape.payload]!;
    const payload = model.resolve(ref);
    if (payload.type === 'blob' && (payload.streaming || ref.streaming)) {
      // A small streaming payload is read whole: for a few KiB a stream costs more than the bytes.
      const length = Number(req.header('content-length') ?? NaN);
      input[shape.payload] = length <= SMALL_STREAMING_PAYLOAD ? await req.body() : req.stream();
    } else {
      const body = await req.body();
      if (body.length > 0) {
        if (payload.type === 'blob') input[shape.payload] = body;
        else if (payload.type === 'string') input[shape.payload] = body.toString('utf8');
        else input[shape.payload] = await parse(payload, body, shape.payload);
      }
    }
  } else if (Object.values(shape.members ?? {}).some((m) => !m.location)) {
    const body = await req.body();
    if (body.length > 0) Object.assign(input, (await parse(shape, body, '')) as Record<string, unknown>);
  }
  return { operation: op, input };
}
