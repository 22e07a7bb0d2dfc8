import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { AwsChunkedDecoder } from '../protocols/aws-chunked.js';
import { AwsError } from '../protocols/errors.js';

/**
 * One HTTP request as the pipeline sees it: the parts routing and decoding read, and the body,
 * either streamed (S3 uploads) or buffered once with a size bound.
 */
export class HttpRequest {
  readonly method: string;
  /** The path as sent, still percent-encoded (S3 keys need the raw form). */
  readonly path: string;
  readonly rawQuery: string;
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress: string;
  private parsedQuery: URLSearchParams | undefined;
  private hostName: string | undefined;
  private buffered: Promise<Buffer> | undefined;
  private decoder: AwsChunkedDecoder | undefined;

  constructor(readonly raw: IncomingMessage, readonly id: string, private readonly maxBodyBytes: number) {
    this.method = raw.method ?? 'GET';
    const url = raw.url ?? '/';
    const q = url.indexOf('?');
    this.path = q < 0 ? url : url.slice(0, q);
    this.rawQuery = q < 0 ? '' : url.slice(q + 1);
    this.headers = raw.headers;
    this.remoteAddress = raw.socket.remoteAddress ?? '127.0.0.1';
  }

  // The query and host are worked out when a step first asks: requests of the JSON protocols
  // have no query, and a signed one is routed by its credential scope, not its host.
  get query(): URLSearchParams {
    this.parsedQuery ??= new URLSearchParams(this.rawQuery);
    return this.parsedQuery;
  }

  /** Host name without the port, lower-cased. */
  get host(): string {
    if (this.hostName === undefined) {
      const host = (this.raw.headers.host ?? '').toLowerCase();
      this.hostName = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':', 1)[0]!;
    }
    return this.hostName;
  }

  header(name: string): string | undefined {
    const v = this.headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  }

  /** True when the body is in `aws-chunked` framing (SDK streaming uploads with trailing checksums). */
  get chunked(): boolean {
    const sha = this.header('x-amz-content-sha256') ?? '';
    return sha.startsWith('STREAMING-') || /(^|,)\s*aws-chunked\s*(,|$)/.test(this.header('content-encoding') ?? '');
  }

  /** The decoded body as a stream; read it once, or use `body()`, not both. */
  stream(): Readable {
    if (!this.chunked) return this.raw;
    this.decoder ??= this.raw.pipe(new AwsChunkedDecoder());
    return this.decoder;
  }

  /** Trailing headers of an aws-chunked body (checksums), once the stream has been read. */
  get trailers(): Record<string, string> {
    return this.decoder?.trailers ?? {};
  }

  /** The whole decoded body, at most `maxBodyBytes`; read once and kept. */
  body(): Promise<Buffer> {
    this.buffered ??= this.readAll();
    return this.buffered;
  }

  get bodyRead(): boolean {
    return this.buffered !== undefined;
  }

  private readAll(): Promise<Buffer> {
    const declared = Number(this.header('content-length') ?? 0);
    if (declared > this.maxBodyBytes) return Promise.reject(tooLarge(this.maxBodyBytes));
    // A small request usually arrives whole with its headers: the parser has then buffered all of
    // it by the time a step asks, and it is taken in one read instead of a round of stream events.
    if (this.raw.complete && !this.chunked) {
      const whole = (this.raw.read() as Buffer | null) ?? EMPTY;
      return whole.length > this.maxBodyBytes ? Promise.reject(tooLarge(this.maxBodyBytes)) : Promise.resolve(whole);
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const source = this.stream();
      source.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.maxBodyBytes) {
          source.destroy();
          reject(tooLarge(this.maxBodyBytes));
          return;
        }
        chunks.push(chunk);
      });
      source.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
      source.on('error', (e) => reject(e instanceof AwsError ? e : new AwsError('IncompleteBody', e.message, { status: 400 })));
    });
  }
}

const EMPTY = Buffer.alloc(0);

function tooLarge(max: number): AwsError {
  return new AwsError('RequestEntityTooLarge', `The request body is larger than the ${max} bytes this endpoint accepts.`, { status: 413 });
}
