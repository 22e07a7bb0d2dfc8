import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '../src/gateway/request.js';
import { parseSignature, verifySignature } from '../src/gateway/sigv4.js';

const credentials = { accessKeyId: 'AKIAEXAMPLE000000001', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** A request as node:http would hand it to the gateway, from what the SDK's signer signed. */
function incoming(method: string, path: string, query: Record<string, string>, headers: Record<string, string>, body: string): HttpRequest {
  const stream = new PassThrough();
  stream.end(body);
  const qs = Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  Object.assign(stream, { method, url: qs ? `${path}?${qs}` : path, headers: lower, socket: { remoteAddress: '127.0.0.1' } });
  return HttpRequest.incoming(stream as unknown as IncomingMessage, 'test', 1 << 20);
}

async function signed(service: string, path: string, query: Record<string, string>, body: string, presign: boolean) {
  // Clients sign the path as it goes on the wire, already percent-encoded.
  path = path.split('/').map((s) => encodeURIComponent(s)).join('/');
  const signer = new SignatureV4({ service, region: 'eu-west-1', credentials, sha256: Sha256, uriEscapePath: service !== 's3' });
  const request = {
    method: 'POST', protocol: 'http:', hostname: 'localhost', port: 4566, path, query,
    headers: { host: 'localhost:4566', 'content-type': 'application/x-amz-json-1.0' }, body,
  };
  if (!presign) {
    const out = await signer.sign(request);
    return incoming('POST', path, out.query as Record<string, string>, out.headers as Record<string, string>, body);
  }
  // Presigners sign UNSIGNED-PAYLOAD: whoever holds the URL chooses the body.
  const out = await signer.presign({ ...request, headers: { ...request.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
    { expiresIn: 300, unsignableHeaders: new Set(['x-amz-content-sha256']) });
  const { 'x-amz-content-sha256': _hash, ...headers } = out.headers as Record<string, string>;
  return incoming('POST', path, out.query as Record<string, string>, headers, body);
}

describe('SigV4 verification', () => {
  const segment = fc.stringMatching(/^[A-Za-z0-9 _.~+=:@!*'()-]{1,12}$/);
  it('accepts what the SDK signer signs, for headers and presigned queries, S3 and others', async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom('s3', 'dynamodb', 'lambda'),
      fc.array(segment, { minLength: 1, maxLength: 3 }),
      fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), fc.string({ maxLength: 10 }), { maxKeys: 3 }),
      fc.string({ maxLength: 40 }),
      fc.boolean(),
      async (service, segments, query, body, presign) => {
        const req = await signed(service, '/' + segments.join('/'), query, body, presign);
        const parsed = parseSignature(req);
        assert.ok(parsed?.ok);
        assert.equal(parsed.sig.presigned, presign);
        assert.equal(await verifySignature(req, parsed.sig, credentials.secretAccessKey), true);
      },
    ), { numRuns: 150 });
  });

  it('rejects a wrong secret, a changed body and a changed path', async () => {
    const req = await signed('dynamodb', '/', {}, '{"TableName":"t"}', false);
    const parsed = parseSignature(req);
    assert.ok(parsed?.ok);
    assert.equal(await verifySignature(req, parsed.sig, 'not-the-secret'), false);
    const original = await signed('dynamodb', '/', {}, '{"TableName":"t"}', false);
    const changedBody = incoming('POST', '/', {}, Object.fromEntries(Object.entries(original.headers).map(([k, v]) => [k, String(v)])), '{"TableName":"u"}');
    const p2 = parseSignature(changedBody);
    assert.ok(p2?.ok);
    assert.equal(await verifySignature(changedBody, p2.sig, credentials.secretAccessKey), false);
    const s3 = await signed('s3', '/bucket/key', {}, '', true);
    const moved = incoming('POST', '/bucket/other', Object.fromEntries(s3.query), {}, '');
    const p3 = parseSignature(moved);
    assert.ok(p3?.ok);
    assert.equal(await verifySignature(moved, p3.sig, credentials.secretAccessKey), false);
  });

  it('reports a malformed Authorization header as a reason, not a crash', () => {
    const req = incoming('GET', '/', {}, { authorization: 'AWS4-HMAC-SHA256 Credential=x' }, '');
    const parsed = parseSignature(req);
    assert.equal(parsed?.ok, false);
  });
});
