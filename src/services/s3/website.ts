import type { RoutingRule, WebsiteConfiguration } from '../../generated/types/s3.js';
import type { HttpRequest } from '../../gateway/request.js';
import { virtualHostBucket } from '../../gateway/route.js';
import type { HttpResponse } from '../../protocols/codec.js';
import { escapeXml } from '../../protocols/xml.js';
import type { RequestContext } from '../service.js';
import { ANYONE, allowed } from './access.js';
import { getConfig } from './configs.js';
import { type ObjectVersion, findBucket, findVersion } from './store.js';

/**
 * The website endpoint (`<bucket>.s3-website.localhost`, `<bucket>.s3-website-<region>.localhost`):
 * plain GETs answered from the bucket's website configuration, with index documents, the error
 * document, redirects and routing rules, and errors as HTML pages.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html
 */
function isWebsiteHost(host: string): boolean {
  return host.split('.').some((l) => l.startsWith('s3-website'));
}

function htmlError(ctx: RequestContext, status: number, code: string, message: string, extra: Record<string, string> = {}): HttpResponse {
  const title = `${status} ${status === 404 ? 'Not Found' : status === 403 ? 'Forbidden' : 'Method Not Allowed'}`;
  const items = [['Code', code], ['Message', message], ...Object.entries(extra), ['RequestId', ctx.requestId]]
    .map(([k, v]) => `<li>${k}: ${escapeXml(v!)}</li>`).join('');
  const body = `<html>\n<head><title>${title}</title></head>\n<body>\n<h1>${title}</h1>\n<ul>${items}</ul>\n<hr/>\n</body>\n</html>\n`;
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', 'x-amz-request-id': ctx.requestId }, body };
}

function live(ctx: RequestContext, bucket: string, key: string): ObjectVersion | undefined {
  const v = key ? findVersion(ctx, bucket, key) : undefined;
  return v && !v.deleteMarker ? v : undefined;
}

function serve(ctx: RequestContext, v: ObjectVersion, status: number): HttpResponse {
  const headers: Record<string, string> = {
    'content-type': v.headers.ContentType ?? 'binary/octet-stream', etag: v.etag, 'last-modified': new Date(v.lastModified).toUTCString(),
    'content-length': String(v.size), 'x-amz-request-id': ctx.requestId,
  };
  if (v.headers.CacheControl) headers['cache-control'] = v.headers.CacheControl;
  if (v.headers.ContentEncoding) headers['content-encoding'] = v.headers.ContentEncoding;
  return { status, headers, body: v.blobId && v.size > 0 ? ctx.blobs.read(v.blobId) : Buffer.alloc(0) };
}

function redirect(location: string, code = 301): HttpResponse {
  return { status: code, headers: { location }, body: '' };
}

/** The first routing rule whose condition holds, turned into a redirect. */
function routed(rules: RoutingRule[] | undefined, key: string, errorCode: number | undefined, host: string): HttpResponse | undefined {
  for (const r of rules ?? []) {
    const c = r.Condition;
    if (c?.KeyPrefixEquals !== undefined && !key.startsWith(c.KeyPrefixEquals)) continue;
    if (c?.HttpErrorCodeReturnedEquals !== undefined && String(errorCode) !== c.HttpErrorCodeReturnedEquals) continue;
    if (c?.HttpErrorCodeReturnedEquals === undefined && errorCode !== undefined) continue;
    const t = r.Redirect;
    const newKey = t.ReplaceKeyWith ?? (t.ReplaceKeyPrefixWith !== undefined ? t.ReplaceKeyPrefixWith + key.slice(c?.KeyPrefixEquals?.length ?? 0) : key);
    return redirect(`${t.Protocol ?? 'http'}://${t.HostName ?? host}/${newKey}`, Number(t.HttpRedirectCode ?? 301));
  }
  return undefined;
}

export function website(req: HttpRequest, ctx: RequestContext): HttpResponse | undefined {
  if (!isWebsiteHost(req.host)) return undefined;
  const name = virtualHostBucket(req.host);
  if (req.method !== 'GET' && req.method !== 'HEAD') return htmlError(ctx, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', { Method: req.method });
  const bucket = name ? findBucket(ctx, name) : undefined;
  if (!bucket) return htmlError(ctx, 404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: name ?? '' });
  const config = getConfig<WebsiteConfiguration>(ctx, bucket.name, 'website');
  if (!config) return htmlError(ctx, 404, 'NoSuchWebsiteConfiguration', 'The specified bucket does not have a website configuration', { BucketName: bucket.name });
  const host = req.header('host') ?? req.host;
  if (config.RedirectAllRequestsTo) {
    return redirect(`${config.RedirectAllRequestsTo.Protocol ?? 'http'}://${config.RedirectAllRequestsTo.HostName}${req.path}`);
  }
  let key: string;
  try {
    key = decodeURIComponent(req.path.slice(1));
  } catch {
    return htmlError(ctx, 400, 'InvalidURI', "Couldn't parse the specified URI.");
  }
  const byRule = routed(config.RoutingRules, key, undefined, host);
  if (byRule) return byRule;
  const suffix = config.IndexDocument?.Suffix ?? 'index.html';
  const wanted = key === '' || key.endsWith('/') ? key + suffix : key;
  const found = live(ctx, bucket.name, wanted);
  if (!allowed(ctx, bucket, ANYONE, 's3:GetObject', wanted)) return htmlError(ctx, 403, 'AccessDenied', 'Access Denied');
  if (found) return found.headers.WebsiteRedirectLocation ? redirect(found.headers.WebsiteRedirectLocation) : serve(ctx, found, 200);
  // `/docs` names the folder `docs/` when it has an index document.
  if (wanted === key && live(ctx, bucket.name, `${key}/${suffix}`)) return redirect(`/${encodeURI(key)}/`, 302);
  const onError = routed(config.RoutingRules, key, 404, host);
  if (onError) return onError;
  const errorDoc = config.ErrorDocument?.Key ? live(ctx, bucket.name, config.ErrorDocument.Key) : undefined;
  if (errorDoc && allowed(ctx, bucket, ANYONE, 's3:GetObject', errorDoc.key)) return serve(ctx, errorDoc, 404);
  return htmlError(ctx, 404, 'NoSuchKey', 'The specified key does not exist.', { Key: wanted });
}
