import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { HttpRequest } from './request.js';

/**
 * AWS Signature Version 4, from the Authorization header or a presigned URL's query.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
export interface Signature {
  accessKeyId: string;
  /** YYYYMMDD of the credential scope. */
  date: string;
  region: string;
  service: string;
  /** The signed header names as sent, `;`-separated (split only when a signature is checked). */
  signedHeaders: string;
  signature: string;
  /** ISO basic timestamp the request was signed at (X-Amz-Date). */
  amzDate: string;
  presigned: boolean;
  /** Presigned URLs: seconds of validity after amzDate. */
  expires?: number;
  securityToken?: string;
}

const HEADER = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)\s*$/;

export type ParseResult = { ok: true; sig: Signature } | { ok: false; reason: string } | undefined;

/** The request's signature, `undefined` if unsigned, or why it cannot be read. */
export function parseSignature(req: HttpRequest): ParseResult {
  const auth = req.header('authorization');
  if (auth) {
    const m = HEADER.exec(auth);
    if (!m) return { ok: false, reason: `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters in AWS4-HMAC-SHA256 form.` };
    const scope = m[1]!.split('/');
    if (scope.length !== 5 || scope[4] !== 'aws4_request') return { ok: false, reason: 'Credential should be scoped to a valid region, service and aws4_request.' };
    return {
      ok: true,
      sig: {
        accessKeyId: scope[0]!, date: scope[1]!, region: scope[2]!, service: scope[3]!,
        signedHeaders: m[2]!, signature: m[3]!,
        amzDate: req.header('x-amz-date') ?? '', presigned: false, securityToken: req.header('x-amz-security-token'),
      },
    };
  }
  if (req.query.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256') {
    const scope = (req.query.get('X-Amz-Credential') ?? '').split('/');
    const signature = req.query.get('X-Amz-Signature');
    const amzDate = req.query.get('X-Amz-Date');
    const signed = req.query.get('X-Amz-SignedHeaders');
    if (scope.length !== 5 || !signature || !amzDate || !signed) {
      return { ok: false, reason: 'Query-string authentication requires the X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders and X-Amz-Signature parameters.' };
    }
    const expires = Number(req.query.get('X-Amz-Expires') ?? 604800);
    return {
      ok: true,
      sig: {
        accessKeyId: scope[0]!, date: scope[1]!, region: scope[2]!, service: scope[3]!,
        signedHeaders: signed, signature, amzDate, presigned: true, expires,
        securityToken: req.query.get('X-Amz-Security-Token') ?? undefined,
      },
    };
  }
  return undefined;
}

/** Milliseconds since the epoch of an ISO basic timestamp (20240101T000000Z). */
export function amzDateMs(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function canonicalQuery(rawQuery: string, presigned: boolean): string {
  if (!rawQuery) return '';
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : safeDecode(part.slice(eq + 1));
    if (presigned && k === 'X-Amz-Signature') continue;
    pairs.push([rfc3986(k), rfc3986(v)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** S3 signs the path as sent; every other service signs it normalized and URI-encoded once more. */
function canonicalPath(path: string, service: string): string {
  if (service === 's3') return path || '/';
  const segments: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(rfc3986(seg));
  }
  return '/' + segments.join('/') + (segments.length > 0 && path.endsWith('/') ? '/' : '');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac('AWS4' + secret, date), region), service), 'aws4_request');
}

/** True when the signature is the one `secret` makes for this request. */
export async function verifySignature(req: HttpRequest, sig: Signature, secret: string): Promise<boolean> {
  let payloadHash = req.header('x-amz-content-sha256');
  if (!payloadHash) {
    payloadHash = sig.presigned ? 'UNSIGNED-PAYLOAD' : createHash('sha256').update(await req.body()).digest('hex');
  } else if (sig.service !== 's3' && /^[0-9a-f]{64}$/.test(payloadHash)) {
    // A declared body hash signs the body only if it is the body's (S3 streams, and checks its own).
    if (createHash('sha256').update(await req.body()).digest('hex') !== payloadHash) return false;
  }
  const headers = sig.signedHeaders.split(';')
    .map((h) => `${h}:${(req.header(h) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonical = [req.method, canonicalPath(req.path, sig.service), canonicalQuery(req.rawQuery, sig.presigned), headers, sig.signedHeaders, payloadHash].join('\n');
  const scope = `${sig.date}/${sig.region}/${sig.service}/aws4_request`;
  const toSign = `AWS4-HMAC-SHA256\n${sig.amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const expected = createHmac('sha256', signingKey(secret, sig.date, sig.region, sig.service)).update(toSign).digest();
  const given = Buffer.from(sig.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
