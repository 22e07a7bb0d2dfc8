import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { AwsChunkedDecoder } from '../protocols/aws-chunked.js';
import { AwsError } from '../protocols/errors.js';

/** What the request line and headers say, however they were parsed. */
export interface RequestHead {
  method: string;
  url: string;
  /** Lower-case names, as node:http gives them. */
  headers: IncomingHttpHeaders;
  socket: Socket;
}

/**
 * One HTTP request as the pipeline sees it: the parts routing and decoding read, and the body,
 * either streamed (S3 uploads) or buffered once with a size bound. The body comes from node:http
 * as a stream, or already whole from Nimbus's own HTTP/1.1 reader (`http1.ts`).
 */
export class HttpRequest {
  readonly method: string;
  /** The path as sent, still percent-encoded (S3 keys need the raw form). */
  readonly path: string;
  readonly rawQuery: string;
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress: string;
  /** The connection, to notice a client that hangs up while it waits (SQS long polls). */
  readonly socket: Socket;
  private parsedQuery: URLSearchParams | undefined;
  private hostName: string | undefined;
  private buffered: Promise<Buffer> | undefined;
  private decoder: AwsChunkedDecoder | undefined;

  /** `source` is node:http's message, or the whole body when it was read before the pipeline began. */
  constructor(head: RequestHead, private readonly source: IncomingMessage | Buffer, readonly id: string, private readonly maxBodyBytes: number) {
    this.method = head.method;
    const url = head.url;
    const q = url.indexOf('?');
    this.path = q < 0 ? url : url.slice(0, q);
    this.rawQuery = q < 0 ? '' : url.slice(q + 1);
    this.headers = head.headers;
    this.socket = head.socket;
    this.remoteAddress = head.socket.remoteAddress ?? '127.0.0.1';
  }

  /** A request node:http parsed, its body still to be read from it. */
  static incoming(raw: IncomingMessage, id: string, maxBodyBytes: number): HttpRequest {
    return new HttpRequest({ method: raw.method ?? 'GET', url: raw.url ?? '/', headers: raw.headers, socket: raw.socket }, raw, id, maxBodyBytes);
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
      const host = (this.headers.host ?? '').toLowerCase();
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
    const raw = Buffer.isBuffer(this.source) ? Readable.from([this.source]) : this.source;
    if (!this.chunked) return raw;
    this.decoder ??= raw.pipe(new AwsChunkedDecoder());
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

  /** Lets node:http move on to the connection's next request when no step read this one's body. */
  discardUnread(): void {
    if (this.buffered === undefined && !Buffer.isBuffer(this.source) && !this.source.complete) this.source.resume();
  }

  private readAll(): Promise<Buffer> {
    const declared = Number(this.header('content-length') ?? 0);
    if (declared > this.maxBodyBytes) return Promise.reject(tooLarge(this.maxBodyBytes));
    const raw = this.source;
    if (Buffer.isBuffer(raw) && !this.chunked) return raw.length > this.maxBodyBytes ? Promise.reject(tooLarge(this.maxBodyBytes)) : Promise.resolve(raw);
    // A small request usually arrives whole with its headers: the parser has then buffered all of
    // it by the time a step asks, and it is taken in one read instead of a round of stream events.
    if (!Buffer.isBuffer(raw) && raw.complete && !this.chunked) {
      const whole = (raw.read() as Buffer | null) ?? EMPTY;
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
