import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AwsChunkedDecoder } from '../src/protocols/aws-chunked.js';

function encode(chunks: Buffer[], trailers: Record<string, string>, signed: boolean): Buffer {
  const parts: Buffer[] = [];
  const sig = signed ? ';chunk-signature=' + 'a'.repeat(64) : '';
  for (const c of chunks) parts.push(Buffer.from(`${c.length.toString(16)}${sig}\r\n`), c, Buffer.from('\r\n'));
  parts.push(Buffer.from(`0${sig}\r\n`));
  for (const [k, v] of Object.entries(trailers)) parts.push(Buffer.from(`${k}:${v}\r\n`));
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

async function decode(wire: Buffer, cuts: number[]): Promise<{ body: Buffer; trailers: Record<string, string> }> {
  const pieces: Buffer[] = [];
  let last = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b)) {
    pieces.push(wire.subarray(last, cut));
    last = cut;
  }
  pieces.push(wire.subarray(last));
  const decoder = new AwsChunkedDecoder();
  const out: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from(pieces.filter((p) => p.length > 0)).pipe(decoder).on('data', (d: Buffer) => out.push(d)).on('end', resolve).on('error', reject);
  });
  return { body: Buffer.concat(out), trailers: decoder.trailers };
}

describe('aws-chunked decoding', () => {
  it('decodes any framing, split at any byte boundaries, to the original bytes and trailers', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      fc.boolean(),
      async (chunks, cuts, signed) => {
        const buffers = chunks.map((c) => Buffer.from(c));
        const wire = encode(buffers, { 'x-amz-checksum-crc32': 'AAAAAA==' }, signed);
        const { body, trailers } = await decode(wire, cuts);
        assert.deepEqual(body, Buffer.concat(buffers));
        assert.equal(trailers['x-amz-checksum-crc32'], 'AAAAAA==');
      },
    ), { numRuns: 200 });
  });

  it('a truncated body is an error, never a short success', async () => {
    const wire = encode([Buffer.from('hello world')], {}, false);
    await assert.rejects(decode(wire.subarray(0, wire.length - 8), []));
  });

  it('a size line that is not hexadecimal is an error', async () => {
    await assert.rejects(decode(Buffer.from('zz\r\nabc\r\n0\r\n\r\n'), []));
  });
});
