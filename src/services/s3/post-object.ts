import { createHmac } from 'node:crypto';
import { Transform, pipeline } from 'node:stream';
import { rootCaller } from '../../gateway/authenticate.js';
import { signingKey } from '../../gateway/sigv4.js';
import type { HttpRequest } from '../../gateway/request.js';
import { virtualHostBucket } from '../../gateway/route.js';
import type { HttpResponse } from '../../protocols/codec.js';
import { AwsError } from '../../protocols/errors.js';
import { escapeXml } from '../../protocols/xml.js';
import type { PutObjectRequest } from '../../generated/types/s3.js';
import type { RequestContext } from '../service.js';
import { authorizeRequest } from './access.js';
import { boundaryOf, readForm } from './form-data.js';
import { objectHandlers } from './objects.js';

/**
 * Browser-based uploads: `POST /<bucket>` with a multipart form whose signed policy says what
 * may be uploaded. https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
 */
type Condition = Record<string, string> | [string, string, string] | ['content-length-range', number, number];

function denied(message: string): AwsError {
  return new AwsError('AccessDenied', `Invalid according to Policy: ${message}`, { status: 403 });
}

/** Fields a policy need not mention. */
const EXEMPT = new Set(['x-amz-signature', 'file', 'policy', 'awsaccesskeyid', 'signature', 'x-amz-security-token']);

/** Checks the policy's expiration and conditions; returns the allowed content-length range. */
function checkPolicy(policy: { expiration?: string; conditions?: Condition[] }, fields: Map<string, string>, bucket: string, now: number): [number, number] {
  if (!policy.expiration || !(Date.parse(policy.expiration) > now)) throw denied('Policy expired.');
  let range: [number, number] = [0, Number.MAX_SAFE_INTEGER];
  const covered = new Set<string>();
  const value = (name: string) => (name === 'bucket' ? bucket : fields.get(name) ?? '');
  for (const c of policy.conditions ?? []) {
    if (Array.isArray(c)) {
      const [op, a, b] = c;
      if (op.toLowerCase() === 'content-length-range') {
        range = [Number(a), Number(b)];
        continue;
      }
      const name = String(a).replace(/^\$/, '').toLowerCase();
      covered.add(name);
      const ok = op.toLowerCase() === 'eq' ? value(name) === b : op.toLowerCase() === 'starts-with' && value(name).startsWith(String(b));
      if (!ok) throw denied(`Policy Condition failed: ["${op}", "${a}", "${b}"]`);
    } else {
      for (const [k, v] of Object.entries(c)) {
        covered.add(k.toLowerCase());
        if (value(k.toLowerCase()) !== v) throw denied(`Policy Condition failed: ["eq", "$${k}", "${v}"]`);
      }
    }
  }
  const extra = [...fields.keys()].filter((f) => !covered.has(f) && !EXEMPT.has(f) && !f.startsWith('x-ignore-'));
  if (extra.length) throw denied(`Extra input fields: ${extra.join(', ')}`);
  return range;
}

/** The signature of a known key must match; like the gateway, unknown keys are trusted. */
function checkSignature(ctx: RequestContext, fields: Map<string, string>, policyBase64: string): string {
  const credential = fields.get('x-amz-credential');
  const signature = fields.get('x-amz-signature');
  if (!credential || !signature) throw new AwsError('InvalidArgument', 'Bucket POST must contain a field named \'x-amz-credential\' and \'x-amz-signature\' when a policy is given.', { status: 400 });
  const [keyId, date, region, service] = credential.split('/');
  const known = ctx.credentials.get(keyId ?? '');
  if (!known) return keyId && /^\d{12}$/.test(keyId) ? keyId : ctx.defaultAccountId;
  const expected = createHmac('sha256', signingKey(known.secretAccessKey, date ?? '', region ?? '', service ?? 's3')).update(policyBase64).digest('hex');
  if (expected !== signature) {
    throw new AwsError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', { status: 403 });
  }
  return known.accountId;
}

function sizeLimit(min: number, max: number): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > max) return done(new AwsError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { status: 400, fields: { MaxSizeAllowed: max } }));
      done(null, chunk);
    },
    flush(done) {
      done(size < min ? new AwsError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', { status: 400, fields: { MinSizeAllowed: min } }) : null);
    },
  });
}

export async function postObject(req: HttpRequest, ctx: RequestContext): Promise<HttpResponse | undefined> {
  const boundary = boundaryOf(req.header('content-type'));
  if (req.method !== 'POST' || !boundary) return undefined;
  const bucket = virtualHostBucket(req.host) ?? decodeURIComponent(req.path.split('/')[1] ?? '');
  const form = await readForm(req.stream(), boundary);
  const f = form.fields;
  let range: [number, number] = [0, Number.MAX_SAFE_INTEGER];
  let signer: string | undefined;
  const policy = f.get('policy');
  if (policy) {
    let parsed: { expiration?: string; conditions?: Condition[] };
    try {
      parsed = JSON.parse(Buffer.from(policy, 'base64').toString('utf8'));
    } catch {
      throw new AwsError('InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.', { status: 400 });
    }
    signer = checkSignature(ctx, f, policy);
    range = checkPolicy(parsed, f, bucket, ctx.clock.now());
  }
  const template = f.get('key');
  if (!template) throw new AwsError('InvalidArgument', "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", { status: 400, fields: { ArgumentName: 'key', ArgumentValue: '' } });
  const key = template.replace(/\$\{filename\}/g, form.filename ?? '');
  const input: PutObjectRequest = {
    Bucket: bucket, Key: key, Body: pipeline(form.file, sizeLimit(range[0], range[1]), () => undefined),
    ContentType: f.get('content-type') ?? form.fileType, CacheControl: f.get('cache-control'), ContentDisposition: f.get('content-disposition'),
    ContentEncoding: f.get('content-encoding'), Expires: f.get('expires'), Tagging: f.get('tagging'),
    ACL: f.get('acl') as PutObjectRequest['ACL'], StorageClass: f.get('x-amz-storage-class') as PutObjectRequest['StorageClass'],
    Metadata: Object.fromEntries([...f].filter(([k]) => k.startsWith('x-amz-meta-')).map(([k, v]) => [k.slice('x-amz-meta-'.length), v])),
  };
  // A signed policy acts for the signer's account; an unsigned form is anonymous and needs a public grant.
  const asCaller: RequestContext = signer ? { ...ctx, accountId: signer, caller: rootCaller(signer), operation: 'PostObject' } : { ...ctx, operation: 'PostObject' };
  authorizeRequest(asCaller, bucket, key);
  const out = await objectHandlers.PutObject!(input, asCaller);
  const location = `${ctx.endpoint}/${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
  const headers: Record<string, string> = { etag: out.ETag!, location, 'x-amz-request-id': ctx.requestId };
  const redirect = f.get('success_action_redirect') ?? f.get('redirect');
  if (redirect) {
    const url = new URL(redirect);
    url.searchParams.set('bucket', bucket);
    url.searchParams.set('key', key);
    url.searchParams.set('etag', out.ETag!);
    return { status: 303, headers: { ...headers, location: url.toString() } };
  }
  const status = Number(f.get('success_action_status') ?? 204);
  if (status === 201) {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>${escapeXml(location)}</Location><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key><ETag>${escapeXml(out.ETag!)}</ETag></PostResponse>`;
    return { status: 201, headers: { ...headers, 'content-type': 'application/xml' }, body };
  }
  return { status: status === 200 ? 200 : 204, headers };
}
