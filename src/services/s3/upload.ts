import { type Readable, Transform, pipeline } from 'node:stream';
import { AwsError } from '../../protocols/errors.js';
import { BlobTooLarge, type StoredBlob } from '../../state/blobs.js';
import type { RequestContext } from '../service.js';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, type StoredChecksum, hasher, isChecksumAlgorithm, wellFormed } from './checksums.js';
import { dropBlobs } from './store.js';

/**
 * Receiving a body (PutObject, UploadPart): streamed to a blob while its MD5 and the additional
 * checksum are computed, then checked against `Content-MD5` and the `x-amz-checksum-*` header or
 * aws-chunked trailer. A body that fails a check is deleted before the error is answered.
 */
export interface ChecksumInput {
  ChecksumAlgorithm?: string;
  ChecksumCRC32?: string;
  ChecksumCRC32C?: string;
  ChecksumCRC64NVME?: string;
  ChecksumSHA1?: string;
  ChecksumSHA256?: string;
  ContentMD5?: string;
}

export interface ReceivedBody {
  blob: StoredBlob;
  checksum: StoredChecksum | null;
}

/** 5 GiB: the largest single PUT S3 accepts. */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;

function declaredAlgorithm(input: ChecksumInput, ctx: RequestContext): ChecksumAlgorithm | undefined {
  const given = CHECKSUM_ALGORITHMS.filter((a) => input[`Checksum${a}`] !== undefined);
  if (given.length > 1) throw new AwsError('InvalidRequest', 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.', { status: 400 });
  const trailer = /^x-amz-checksum-([a-z0-9]+)$/.exec((ctx.request.header('x-amz-trailer') ?? '').trim().toLowerCase())?.[1]?.toUpperCase();
  const named = given[0] ?? trailer ?? input.ChecksumAlgorithm;
  if (named === undefined) return undefined;
  if (!isChecksumAlgorithm(named)) throw new AwsError('InvalidRequest', `Checksum algorithm ${named} is not supported.`, { status: 400 });
  return named;
}

function checkMd5Format(md5: string | undefined): void {
  if (md5 === undefined) return;
  if (!/^[A-Za-z0-9+/]{22}==$/.test(md5)) throw new AwsError('InvalidDigest', 'The Content-MD5 you specified was not valid.', { status: 400, fields: { 'Content-MD5': md5 } });
}

export async function receiveBody(ctx: RequestContext, body: Readable | Buffer | undefined, input: ChecksumInput, maxBytes = MAX_PUT_BYTES): Promise<ReceivedBody> {
  checkMd5Format(input.ContentMD5);
  const algorithm = declaredAlgorithm(input, ctx);
  const header = algorithm ? input[`Checksum${algorithm}`] : undefined;
  if (algorithm && header !== undefined && !wellFormed(algorithm, header)) {
    throw new AwsError('InvalidRequest', `Value for x-amz-checksum-${algorithm.toLowerCase()} header is invalid.`, { status: 400 });
  }
  const h = algorithm ? hasher(algorithm) : undefined;
  let blob: StoredBlob;
  try {
    if (body === undefined || Buffer.isBuffer(body)) {
      // A body that came whole (small ones do) skips the stream machinery, which costs more than the bytes.
      const whole = body ?? Buffer.alloc(0);
      h?.update(whole);
      blob = await ctx.blobs.write(whole, maxBytes);
    } else {
      const hashing = new Transform({
        transform(chunk: Buffer, _enc, done) {
          h?.update(chunk);
          done(null, chunk);
        },
      });
      blob = await ctx.blobs.write(pipeline(body, hashing, () => undefined), maxBytes);
    }
  } catch (e) {
    if (e instanceof BlobTooLarge) throw new AwsError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed object size.', { status: 400, fields: { MaxSizeAllowed: maxBytes } });
    // A body source may fail with S3's own error (a form upload's size policy, say).
    if (e instanceof AwsError) throw e;
    throw new AwsError('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.', { status: 400 });
  }
  const fail = async (err: AwsError): Promise<never> => {
    await dropBlobs(ctx, [blob.id]);
    throw err;
  };
  if (input.ContentMD5 !== undefined && Buffer.from(blob.md5, 'hex').toString('base64') !== input.ContentMD5) {
    await fail(new AwsError('BadDigest', 'The Content-MD5 you specified did not match what we received.', { status: 400 }));
  }
  if (!algorithm || !h) return { blob, checksum: null };
  const computed = h.digest().toString('base64');
  const expected = header ?? ctx.request.trailers[`x-amz-checksum-${algorithm.toLowerCase()}`];
  if (expected !== undefined && expected !== computed) {
    await fail(new AwsError('BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`, { status: 400 }));
  }
  return { blob, checksum: { algorithm, value: computed, type: 'FULL_OBJECT' } };
}
