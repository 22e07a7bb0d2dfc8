import { Readable } from 'node:stream';
import { AwsError } from '../../protocols/errors.js';

/**
 * A streaming reader of `multipart/form-data` (RFC 7578) as browsers send S3 POST uploads: the
 * small fields before the file are read into memory, the file itself is streamed, and whatever
 * follows the file is ignored, as S3 ignores it.
 */
export interface FormUpload {
  fields: Map<string, string>;
  filename: string | undefined;
  fileType: string | undefined;
  /** The file's bytes; read it to the end before using anything else of the request. */
  file: Readable;
}

const MAX_FIELDS_BYTES = 64 * 1024;

function malformed(message: string): AwsError {
  return new AwsError('MalformedPOSTRequest', `The body of your POST request is not well-formed multipart/form-data. ${message}`, { status: 400 });
}

class Reader {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  private readonly it: AsyncIterator<Buffer>;

  constructor(source: Readable) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.it.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    this.buf = this.buf.length ? Buffer.concat([this.buf, next.value]) : next.value;
    return true;
  }

  /** Bytes up to `delim` (consumed, not returned), at most `limit` of them. */
  async until(delim: Buffer, limit: number): Promise<Buffer> {
    for (;;) {
      const i = this.buf.indexOf(delim);
      if (i >= 0) {
        const out = this.buf.subarray(0, i);
        this.buf = this.buf.subarray(i + delim.length);
        return out;
      }
      if (this.buf.length > limit) throw malformed('A form field is too large.');
      if (!(await this.fill())) throw malformed('The body ended early.');
    }
  }

  async take(n: number): Promise<Buffer> {
    while (this.buf.length < n) if (!(await this.fill())) throw malformed('The body ended early.');
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Streams the bytes before `delim`, holding back only what could be the start of it. */
  async *streamUntil(delim: Buffer): AsyncGenerator<Buffer> {
    for (;;) {
      const i = this.buf.indexOf(delim);
      if (i >= 0) {
        if (i > 0) yield this.buf.subarray(0, i);
        this.buf = this.buf.subarray(i + delim.length);
        return;
      }
      const safe = this.buf.length - (delim.length - 1);
      if (safe > 0) {
        yield this.buf.subarray(0, safe);
        this.buf = this.buf.subarray(safe);
      }
      if (!(await this.fill())) throw malformed('The file part has no closing boundary.');
    }
  }

  async drain(): Promise<void> {
    while (await this.fill()) this.buf = Buffer.alloc(0);
  }
}

function headerParams(headers: string): { name?: string; filename?: string; type?: string } {
  const out: { name?: string; filename?: string; type?: string } = {};
  for (const line of headers.split('\r\n')) {
    const [h, ...rest] = line.split(':');
    const value = rest.join(':').trim();
    if (h?.trim().toLowerCase() === 'content-disposition') {
      for (const m of value.matchAll(/;\s*(name|filename)="((?:[^"\\]|\\.)*)"/gi)) out[m[1]!.toLowerCase() as 'name' | 'filename'] = m[2]!.replace(/\\(.)/g, '$1');
    } else if (h?.trim().toLowerCase() === 'content-type') {
      out.type = value;
    }
  }
  return out;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /^multipart\/form-data\s*;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return m ? m[1] ?? m[2] : undefined;
}

export async function readForm(source: Readable, boundary: string): Promise<FormUpload> {
  const r = new Reader(source);
  const dash = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  await r.until(Buffer.concat([dash, Buffer.from('\r\n')]), MAX_FIELDS_BYTES);
  const fields = new Map<string, string>();
  let size = 0;
  for (;;) {
    const part = headerParams((await r.until(Buffer.from('\r\n\r\n'), MAX_FIELDS_BYTES)).toString('utf8'));
    if (!part.name) throw malformed('A part has no name.');
    if (part.name.toLowerCase() === 'file') {
      const file = Readable.from((async function* () {
        yield* r.streamUntil(next);
        await r.drain();
      })());
      return { fields, filename: part.filename, fileType: part.type, file };
    }
    const value = await r.until(next, MAX_FIELDS_BYTES);
    size += value.length;
    if (size > MAX_FIELDS_BYTES) throw malformed('The form fields are too large.');
    fields.set(part.name.toLowerCase(), value.toString('utf8'));
    if ((await r.take(2)).toString() === '--') throw new AwsError('InvalidArgument', 'POST requires exactly one file upload per request.', { status: 400, fields: { ArgumentName: 'file', ArgumentValue: 0 } });
  }
}
