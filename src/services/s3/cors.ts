import type { CORSRule } from '../../generated/types/s3.js';
import { virtualHostBucket } from '../../gateway/route.js';
import type { HttpRequest } from '../../gateway/request.js';
import { type HttpResponse, withHeaders } from '../../protocols/codec.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handler, RequestContext } from '../service.js';
import { getConfig } from './configs.js';
import { findBucket } from './store.js';

/**
 * CORS from the bucket's rules: the first rule whose origin, method and headers all match
 * decides, for browser preflight (`OPTIONS`) and for the headers of the actual response.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html#cors-allowed-origin
 */
function wildcard(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, caseInsensitive ? 'i' : '');
  return re.test(value);
}

function forbidden(message: string): AwsError {
  return new AwsError('AccessForbidden', message, { status: 403 });
}

/** The bucket a request addresses, by Host or by the first path segment. */
function bucketOf(req: HttpRequest): string | undefined {
  const host = virtualHostBucket(req.host);
  if (host !== undefined) return host;
  const first = req.path.split('/')[1];
  return first ? decodeURIComponent(first) : undefined;
}

export function preflight(req: HttpRequest, ctx: RequestContext): HttpResponse | undefined {
  if (req.method !== 'OPTIONS') return undefined;
  const origin = req.header('origin');
  const method = req.header('access-control-request-method');
  if (!origin || !method) {
    throw new AwsError('BadRequest', 'Insufficient information. Origin request header needed.', { status: 400 });
  }
  const name = bucketOf(req);
  const bucket = name ? findBucket(ctx, name) : undefined;
  if (!bucket) throw forbidden('CORSResponse: Bucket not found');
  const rules = getConfig<{ CORSRules: CORSRule[] }>(ctx, bucket.name, 'cors')?.CORSRules;
  if (!rules) throw forbidden('CORSResponse: CORS is not enabled for this bucket.');
  const asked = (req.header('access-control-request-headers') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  const rule = matchingRule(rules, origin, method, asked);
  if (!rule) {
    throw forbidden('CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource\'s CORS spec.');
  }
  const headers: Record<string, string> = { ...allowHeaders(rule, origin), 'x-amz-request-id': ctx.requestId };
  if (asked.length) headers['access-control-allow-headers'] = asked.join(', ');
  if (rule.MaxAgeSeconds !== undefined) headers['access-control-max-age'] = String(rule.MaxAgeSeconds);
  return { status: 200, headers };
}

function matchingRule(rules: CORSRule[], origin: string, method: string, headers: string[]): CORSRule | undefined {
  return rules.find((r) =>
    r.AllowedOrigins.some((o) => wildcard(o, origin, false))
    && r.AllowedMethods.includes(method)
    && headers.every((h) => (r.AllowedHeaders ?? []).some((a) => wildcard(a, h, true))));
}

function allowHeaders(rule: CORSRule, origin: string): Record<string, string> {
  const anyOrigin = rule.AllowedOrigins.includes('*');
  const headers: Record<string, string> = {
    'access-control-allow-origin': anyOrigin ? '*' : origin,
    'access-control-allow-methods': rule.AllowedMethods.join(', '),
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
  if (!anyOrigin) headers['access-control-allow-credentials'] = 'true';
  if (rule.ExposeHeaders?.length) headers['access-control-expose-headers'] = rule.ExposeHeaders.join(', ');
  return headers;
}

/** The CORS headers of an actual (non-preflight) request from a browser origin, if a rule allows it. */
function corsHeaders(ctx: RequestContext, bucketName: string | undefined): Record<string, string> | undefined {
  const origin = ctx.request.header('origin');
  if (!origin || !bucketName) return undefined;
  const rules = getConfig<{ CORSRules: CORSRule[] }>(ctx, bucketName, 'cors')?.CORSRules;
  const rule = rules && matchingRule(rules, origin, ctx.request.method, []);
  return rule && allowHeaders(rule, origin);
}

/** Wraps a handler so that its answer, success or error, carries the bucket's CORS headers. */
export function withCors(handler: Handler): Handler {
  return async (input: { Bucket?: string }, ctx) => {
    try {
      const output = await handler(input, ctx);
      const headers = corsHeaders(ctx, input.Bucket);
      return headers ? withHeaders(output ?? {}, headers) : output;
    } catch (e) {
      const headers = e instanceof AwsError ? corsHeaders(ctx, input.Bucket) : undefined;
      if (headers) Object.assign((e as AwsError).headers, headers);
      throw e;
    }
  };
}
