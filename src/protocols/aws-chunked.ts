import { Transform, type TransformCallback } from 'node:stream';

/**
 * Decodes an `aws-chunked` body, as the SDKs send streaming uploads with checksums:
 * `<hex size>[;chunk-signature=...]\r\n<bytes>\r\n` repeated, a zero-size chunk, then trailing
 * headers (`x-amz-checksum-crc32:...`) and an empty line.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 */
export class AwsChunkedDecoder extends Transform {
  /** Trailing headers, lower-cased; complete once the stream has ended. */
  readonly trailers: Record<string, string> = {};
  private state: 'size' | 'data' | 'data-end' | 'trailer' | 'done' = 'size';
  private line = '';
  private remaining = 0;
  private sawCr = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let i = 0;
    try {
      while (i < chunk.length) {
        if (this.state === 'data') {
          const n = Math.min(this.remaining, chunk.length - i);
          this.push(chunk.subarray(i, i + n));
          i += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = 'data-end';
          continue;
        }
        if (this.state === 'done') break;
        // Line-oriented states: read up to CRLF.
        const byte = chunk[i++]!;
        if (byte === 0x0d) { this.sawCr = true; continue; }
        if (byte !== 0x0a) {
          if (this.sawCr) throw new ChunkedFormatError();
          this.line += String.fromCharCode(byte);
          if (this.line.length > 8192) throw new ChunkedFormatError();
          continue;
        }
        this.sawCr = false;
        const line = this.line;
        this.line = '';
        this.onLine(line);
      }
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.state === 'trailer' && this.line === '') this.state = 'done';
    done(this.state === 'done' ? null : new ChunkedFormatError());
  }

  private onLine(line: string): void {
    switch (this.state) {
      case 'size': {
        const size = parseInt(line.split(';', 1)[0]!, 16);
        if (!Number.isFinite(size) || size < 0) throw new ChunkedFormatError();
        if (size === 0) this.state = 'trailer';
        else { this.remaining = size; this.state = 'data'; }
        return;
      }
      case 'data-end':
        if (line !== '') throw new ChunkedFormatError();
        this.state = 'size';
        return;
      case 'trailer': {
        if (line === '') { this.state = 'done'; return; }
        const colon = line.indexOf(':');
        if (colon <= 0) throw new ChunkedFormatError();
        this.trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        return;
      }
      default:
        throw new ChunkedFormatError();
    }
  }
}

export class ChunkedFormatError extends Error {
  constructor() {
    super('The request body is not valid aws-chunked encoding.');
  }
}
