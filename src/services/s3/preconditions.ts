import { AwsError } from '../../protocols/errors.js';
import { type ObjectVersion, sameEtag } from './store.js';

/**
 * Conditional requests and byte ranges, as RFC 7232/7233 and S3 define them.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-requests.html
 */
export interface Conditions {
  IfMatch?: string;
  IfNoneMatch?: string;
  IfModifiedSince?: Date;
  IfUnmodifiedSince?: Date;
}

function matches(list: string, etag: string): boolean {
  return list.split(',').some((e) => e.trim() === '*' || sameEtag(e, etag));
}

/** HTTP dates have second precision: compare the object's time truncated to the second. */
function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

export function preconditionFailed(condition: string): AwsError {
  return new AwsError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { status: 412, fields: { Condition: condition } });
}

/**
 * GET/HEAD: If-Match wins over If-Unmodified-Since, If-None-Match over If-Modified-Since;
 * a failed If-Match or If-Unmodified-Since is 412, a met If-None-Match or an unmodified
 * If-Modified-Since is 304.
 */
export function checkReadConditions(c: Conditions, v: ObjectVersion): void {
  if (c.IfMatch !== undefined && !matches(c.IfMatch, v.etag)) throw preconditionFailed('If-Match');
  if (c.IfMatch === undefined && c.IfUnmodifiedSince && seconds(v.lastModified) > seconds(c.IfUnmodifiedSince.getTime())) throw preconditionFailed('If-Unmodified-Since');
  const notModified = c.IfNoneMatch !== undefined
    ? matches(c.IfNoneMatch, v.etag)
    : c.IfModifiedSince !== undefined && seconds(v.lastModified) <= seconds(c.IfModifiedSince.getTime());
  if (notModified) throw new AwsError('NotModified', 'Not Modified', { status: 304, headers: { etag: v.etag, 'last-modified': new Date(v.lastModified).toUTCString() } });
}

/** CopyObject and UploadPartCopy: the same conditions on the source, all failing with 412. */
export function checkCopySourceConditions(c: Conditions, v: ObjectVersion): void {
  if (c.IfMatch !== undefined && !matches(c.IfMatch, v.etag)) throw preconditionFailed('x-amz-copy-source-If-Match');
  if (c.IfMatch === undefined && c.IfUnmodifiedSince && seconds(v.lastModified) > seconds(c.IfUnmodifiedSince.getTime())) throw preconditionFailed('x-amz-copy-source-If-Unmodified-Since');
  if (c.IfNoneMatch !== undefined && matches(c.IfNoneMatch, v.etag)) throw preconditionFailed('x-amz-copy-source-If-None-Match');
  if (c.IfNoneMatch === undefined && c.IfModifiedSince && seconds(v.lastModified) <= seconds(c.IfModifiedSince.getTime())) throw preconditionFailed('x-amz-copy-source-If-Modified-Since');
}

/**
 * Conditional writes: `If-None-Match: *` only creates, `If-Match` only replaces that ETag.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
 */
export function checkWriteConditions(c: { IfMatch?: string; IfNoneMatch?: string }, lookup: () => ObjectVersion | undefined, key: string): void {
  if (c.IfMatch === undefined && c.IfNoneMatch === undefined) return;
  const current = lookup();
  const live = current && !current.deleteMarker ? current : undefined;
  if (c.IfNoneMatch !== undefined) {
    if (c.IfNoneMatch.trim() !== '*') throw new AwsError('NotImplemented', 'A header you provided implies functionality that is not implemented', { status: 501, fields: { Header: 'If-None-Match' } });
    if (live) throw preconditionFailed('If-None-Match');
  }
  if (c.IfMatch !== undefined) {
    if (!live) throw new AwsError('NoSuchKey', 'The specified key does not exist.', { status: 404, fields: { Key: key } });
    if (!matches(c.IfMatch, live.etag)) throw preconditionFailed('If-Match');
  }
}

export interface ByteRange {
  start: number;
  end: number;
}

/**
 * `bytes=a-b`, `bytes=a-` or `bytes=-n` against an object of `size` bytes. A header S3 cannot
 * read (or several ranges) is ignored and the whole object served; a range that starts past the
 * end is InvalidRange (416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) throw invalidRange(header, size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
  }
  if (start >= size) throw invalidRange(header, size);
  return { start, end };
}

function invalidRange(header: string, size: number): AwsError {
  return new AwsError('InvalidRange', 'The requested range is not satisfiable', {
    status: 416, fields: { RangeRequested: header, ActualObjectSize: size }, headers: { 'content-range': `bytes */${size}` },
  });
}
