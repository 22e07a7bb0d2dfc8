import type { RouteInfo } from '../protocols/codec.js';
import { routingIndex } from '../protocols/model.js';
import { readParams } from '../protocols/query.js';
import type { HttpRequest } from './request.js';
import type { ParseResult } from './sigv4.js';

/**
 * Which service a request is for, in the order the core issue sets: the SigV4 credential
 * scope, X-Amz-Target, known path prefixes, the Host, then Action/Version of query requests.
 * Anything left (unsigned browser uploads, CORS preflight) is S3's.
 */
interface Lookup {
  bySigningName: Map<string, string[]>;
  byTargetPrefix: Map<string, string>;
  byEndpointPrefix: Map<string, string[]>;
  byVersion: Map<string, string[]>;
  queryLike: Set<string>;
}

let lookup: Lookup | undefined;

function tables(): Lookup {
  if (lookup) return lookup;
  const r = routingIndex();
  lookup = {
    bySigningName: new Map(Object.entries(r.bySigningName)),
    byTargetPrefix: new Map(Object.entries(r.byTargetPrefix)),
    byEndpointPrefix: new Map(Object.entries(r.byEndpointPrefix)),
    byVersion: new Map(Object.entries(r.byVersion)),
    queryLike: new Set(r.queryLike),
  };
  return lookup;
}

/** rest services with no signing name of their own in common use, by path prefix. */
const PATH_PREFIXES: [string, string][] = [
  ['/2015-03-31/functions', 'lambda'], ['/2018-10-31/layers', 'lambda'], ['/2017-03-31/tags', 'lambda'],
  ['/2019-09-25/functions', 'lambda'], ['/2021-10-31/functions', 'lambda'], ['/2015-03-31/event-source-mappings', 'lambda'],
  ['/v20180820/', 's3control'], ['/2013-04-01/', 'route53'], ['/restapis', 'apigateway'], ['/v2/apis', 'apigatewayv2'],
];

const HOST_SUFFIXES = ['.localhost.localstack.cloud', '.localhost', '.amazonaws.com'];

function hostLabels(host: string): string[] | undefined {
  for (const suffix of HOST_SUFFIXES) if (host.endsWith(suffix)) return host.slice(0, -suffix.length).split('.');
  return undefined;
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

/** `bucket.s3.localhost`, `bucket.s3.eu-west-1.localhost`, `bucket.localhost`: the bucket. */
export function virtualHostBucket(host: string): string | undefined {
  const labels = hostLabels(host);
  if (!labels) return undefined;
  const s3 = labels.findIndex((l) => l === 's3' || l.startsWith('s3-website') || l === 's3-control');
  if (s3 > 0) return labels.slice(0, s3).join('.');
  if (s3 < 0 && !tables().byEndpointPrefix.has(labels[0]!) && !REGION.test(labels[0]!)) return labels.join('.');
  return undefined;
}

function pick(ids: string[], req: HttpRequest): string {
  if (ids.length === 1) return ids[0]!;
  const target = req.header('x-amz-target');
  if (target) {
    const byTarget = tables().byTargetPrefix.get(target.slice(0, target.lastIndexOf('.')));
    if (byTarget && ids.includes(byTarget)) return byTarget;
  }
  for (const [prefix, id] of PATH_PREFIXES) if (req.path.startsWith(prefix) && ids.includes(id)) return id;
  return ids[0]!;
}

export async function route(req: HttpRequest, sig: ParseResult, defaultRegion: string): Promise<RouteInfo | undefined> {
  const t = tables();
  if (sig?.ok) {
    const ids = t.bySigningName.get(sig.sig.service);
    if (!ids) return undefined;
    const service = ids.length === 1 ? ids[0]! : (ids.every(queryLike) ? await byVersion(req, ids) : undefined) ?? pick(ids, req);
    return withHostBucket({ service, region: sig.sig.region }, req);
  }
  const labels = hostLabels(req.host);
  const region = labels?.find((l) => REGION.test(l)) ?? defaultRegion;
  const target = req.header('x-amz-target');
  let service = target ? t.byTargetPrefix.get(target.slice(0, target.lastIndexOf('.'))) : undefined;
  if (!service) service = PATH_PREFIXES.find(([prefix]) => req.path.startsWith(prefix))?.[1];
  if (!service && labels) {
    if (virtualHostBucket(req.host) !== undefined || labels.includes('s3')) service = 's3';
    else if (t.byEndpointPrefix.has(labels[0]!)) service = pick(t.byEndpointPrefix.get(labels[0]!)!, req);
  }
  if (!service) {
    const type = req.header('content-type') ?? '';
    if (req.query.has('Action') || (req.method === 'POST' && type.startsWith('application/x-www-form-urlencoded'))) {
      service = await byVersion(req, undefined);
    }
  }
  return withHostBucket({ service: service ?? 's3', region }, req);
}

function withHostBucket(info: RouteInfo, req: HttpRequest): RouteInfo {
  if (info.service === 's3') {
    const bucket = virtualHostBucket(req.host);
    if (bucket !== undefined) info.hostBucket = bucket;
  }
  return info;
}

/** Query-protocol services that share a signing name (all of them query-like) or have none: tell them apart by Version. */
function queryLike(id: string): boolean {
  return tables().queryLike.has(id);
}

async function byVersion(req: HttpRequest, among: string[] | undefined): Promise<string | undefined> {
  const params = await readParams(req);
  const version = params.get('Version');
  if (!version) return undefined;
  const ids = (tables().byVersion.get(version) ?? []).filter((id) => !among || among.includes(id));
  return ids.length > 0 ? ids[0] : undefined;
}

