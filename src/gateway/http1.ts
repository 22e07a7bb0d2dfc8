import { STATUS_CODES, type IncomingHttpHeaders, type Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { requestId as newRequestId } from '../ids.js';
import { responseHeaders, type Exchange, type Handler } from '../server.js';
import { HttpRequest } from './request.js';

/**
 * Nimbus's own HTTP/1.1 reader, for the requests of the JSON and query protocols: a POST with a
 * Content-Length, an `X-Amz-Target` or a form body, small enough to buffer whole. Those are
 * nearly all of what SDKs send to DynamoDB, SQS, SNS, STS, IAM and EC2. Read here, a request costs
 * the server 7-15% less CPU than through node:http (docs/BENCHMARKS.md, "Nimbus's HTTP/1.1 reader").
 *
 * Every other request, and so the rest of its connection, goes to node:http: S3's streamed and
 * chunked uploads, `Expect: 100-continue`, HTTP/1.0, GETs, Nimbus's own `/_` routes, anything
 * this reader does not understand (node:http then answers it, or refuses it as it should).
 * HTTP/1.1 is one request after another on a connection, so the hand-over happens between two
 * requests: the bytes already read are put back on the socket, and node:http takes it from there.
 */
export class Http1Server extends Server {
  private readonly sockets = new Set<Socket>();

  constructor(handler: Handler, fallback: HttpServer, options: { keepAliveMs: number; maxBodyBytes: number }) {
    // Half-open, as node:http's own server is: a client may end its side and still read the answer.
    super({ allowHalfOpen: true }, (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      new Connection(socket, handler, fallback, options.keepAliveMs, Math.min(MAX_BUFFERED_BODY, options.maxBodyBytes));
    });
    // node:http starts the header and request timeouts of the connections it is handed when it
    // hears that it listens; it never listens itself.
    this.once('listening', () => fallback.emit('listening'));
    this.once('close', () => fallback.close());
  }

  /** Ends every connection, those handed to node:http too, so that `close` completes at once. */
  closeAllConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }
}

/** The largest request body read into memory here; a larger one streams through node:http. */
const MAX_BUFFERED_BODY = 1024 * 1024;
/** The most header bytes awaited before the request is left to node:http (which limits them at 16 KiB). */
const MAX_HEAD = 16 * 1024;
/** Bytes read ahead while a request is answered (pipelining) before the socket stops reading. */
const MAX_PENDING = MAX_BUFFERED_BODY + MAX_HEAD;

const HEAD_END = Buffer.from('\r\n\r\n');

class Connection {
  /** Bytes read and not yet answered: a partial request, or pipelined ones. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** True while a request is in the pipeline: HTTP/1.1 answers in order, one at a time. */
  private busy = false;
  private readonly onData = (chunk: Buffer) => this.received(chunk);
  private readonly onTimeout = () => this.socket.destroy();
  private readonly onError = () => this.socket.destroy();
  private readonly onEnd = () => this.ended();
  /** The client has sent all it will. */
  private finished = false;
  /** node:http has the connection now. */
  private handedOver = false;

  private readonly keepAlive: string;

  /** `maxBody`: a larger body is left to node:http, which streams it or refuses it at the configured limit. */
  constructor(private readonly socket: Socket, private readonly handler: Handler, private readonly fallback: HttpServer, keepAliveMs: number, private readonly maxBody: number) {
    this.keepAlive = `connection: keep-alive\r\nkeep-alive: timeout=${Math.floor(keepAliveMs / 1000)}`;
    socket.setNoDelay(true);
    socket.setTimeout(keepAliveMs, this.onTimeout);
    socket.on('error', this.onError);
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
  }

  private received(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (!this.busy) this.next();
    else if (this.pendingBytes > MAX_PENDING) this.socket.pause();
  }

  /** The bytes read and not yet answered, in one buffer. */
  private unread(): Buffer {
    return this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
  }

  /** Answers the next whole request read, if there is one. */
  private next(): void {
    if (this.socket.isPaused()) this.socket.resume();
    if (this.pendingBytes === 0) return;
    const buf = this.unread();
    this.pending = [buf];
    const end = buf.indexOf(HEAD_END);
    if (end < 0) {
      if (buf.length > MAX_HEAD) this.handOver();
      return;
    }
    const head = parseHead(buf.toString('latin1', 0, end), this.socket, this.maxBody);
    if (!head) {
      this.handOver();
      return;
    }
    const total = end + 4 + head.length;
    if (buf.length < total) return;
    const body = buf.subarray(end + 4, total);
    this.pending = buf.length > total ? [buf.subarray(total)] : [];
    this.pendingBytes = buf.length - total;
    this.busy = true;
    this.handler.answer(new HttpRequest(head, body, newRequestId(), this.maxBody))
      .then((x) => this.respond(x, head.close))
      .catch(() => this.socket.destroy());
  }

  /** Writes the response, records it, and goes on to the next request once the socket can take more. */
  private respond(x: Exchange, close: boolean): void {
    const r = x.response;
    const body = r.body;
    if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) {
      // The protocols read here answer in memory; a stream would be a service's choice, read whole.
      readWhole(body).then((whole) => this.respond({ ...x, response: { ...r, body: whole } }, close)).catch(() => this.socket.destroy());
      return;
    }
    if (this.socket.destroyed) {
      this.handler.record(x);
      return;
    }
    let text = `HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? 'Unknown'}\r\n`;
    const headers = responseHeaders(r);
    for (const name in headers) {
      const v = headers[name]!;
      if (Array.isArray(v)) for (const one of v) text += headerLine(name, one);
      else text += headerLine(name, String(v));
    }
    text += `date: ${utcDate()}\r\n${close ? 'connection: close' : this.keepAlive}\r\n\r\n`;
    // One write, so one segment on the wire for a small answer.
    const drained = typeof body === 'string' ? this.socket.write(text + body)
      : this.socket.write(body === undefined || body.length === 0 ? text : Buffer.concat([Buffer.from(text, 'latin1'), body]));
    this.handler.record(x);
    if (close) {
      this.socket.end();
      return;
    }
    if (drained) this.ready();
    else this.socket.once('drain', () => this.ready());
  }

  private ready(): void {
    this.busy = false;
    if (this.socket.destroyed) return;
    this.next();
    if (this.finished && !this.busy && !this.handedOver) this.socket.end();
  }

  /** Ends the connection once the requests read are answered. */
  private ended(): void {
    this.finished = true;
    if (!this.busy) this.socket.end();
  }

  /** Leaves this connection, from the request not yet answered on, to node:http. */
  private handOver(): void {
    const { socket } = this;
    this.handedOver = true;
    socket.off('data', this.onData);
    socket.off('error', this.onError);
    socket.off('end', this.onEnd);
    socket.setTimeout(0, this.onTimeout);
    socket.pause();
    if (this.pendingBytes > 0) socket.unshift(this.unread());
    this.pending = [];
    this.pendingBytes = 0;
    this.fallback.emit('connection', socket);
    socket.resume();
  }
}

/** The head of a request read here: what `HttpRequest` needs, and the body's length. */
interface Head {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  socket: Socket;
  length: number;
  close: boolean;
}

/**
 * The request line and headers, when this is a request read here (see `Http1Server`); undefined
 * leaves it to node:http. Header names are lower-cased and values stripped of spaces and tabs, as
 * node:http does. A name sent twice, a bare CR or LF, or a line that is no header leaves the
 * request to node:http too, which knows each header's rule for repeats and refuses the rest.
 */
function parseHead(text: string, socket: Socket, maxBody: number): Head | undefined {
  let at = text.indexOf('\r\n');
  const requestLine = at < 0 ? text : text.slice(0, at);
  if (!requestLine.startsWith('POST /') || !requestLine.endsWith(' HTTP/1.1')) return undefined;
  const url = requestLine.slice(5, -9);
  if (url.startsWith('/_') || !TARGET.test(url)) return undefined;
  const headers: IncomingHttpHeaders = {};
  let lines = 0;
  const n = text.length;
  at = at < 0 ? n : at + 2;
  while (at < n) {
    // The name: token characters up to the colon, lower-cased if it has capitals.
    let colon = at;
    let capitals = false;
    for (; colon < n; colon++) {
      const c = text.charCodeAt(colon);
      const kind = c < 128 ? TOKEN_CHARS[c]! : 0;
      if (kind === 0) break;
      if (kind === CAPITAL) capitals = true;
    }
    if (colon === at || colon === n || text.charCodeAt(colon) !== 58) return undefined;
    let name = text.slice(at, colon);
    if (capitals) name = name.toLowerCase();
    // One LF and one CR per line, the two ending it: a bare one is read differently by different parsers.
    let next = text.indexOf('\r', colon);
    if (next < 0) next = n;
    else if (text.charCodeAt(next + 1) !== 10) return undefined;
    const lf = text.indexOf('\n', colon);
    if (lf >= 0 && lf < next) return undefined;
    let from = colon + 1;
    let to = next;
    while (from < to && isSpace(text.charCodeAt(from))) from++;
    while (to > from && isSpace(text.charCodeAt(to - 1))) to--;
    headers[name] = text.slice(from, to);
    lines++;
    at = next + 2;
  }
  // A name sent twice (or one the object cannot hold, __proto__) leaves fewer members than lines.
  let members = 0;
  for (const _ in headers) members++;
  if (members !== lines) return undefined;
  // node:http refuses an HTTP/1.1 request without a Host, and knows what the others ask of it.
  if (headers['host'] === undefined || headers['transfer-encoding'] !== undefined || headers['expect'] !== undefined || headers['upgrade'] !== undefined) return undefined;
  if (headers['x-amz-target'] === undefined && !(headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) return undefined;
  const declared = headers['content-length'];
  if (declared === undefined || !DIGITS.test(declared)) return undefined;
  const length = Number(declared);
  if (length > maxBody) return undefined;
  return { method: 'POST', url, headers, socket, length, close: (headers['connection'] ?? '').toLowerCase() === 'close' };
}

const isSpace = (c: number) => c === 32 || c === 9;
/** A request target's characters (RFC 9112 origin-form: no spaces or controls). */
const TARGET = /^[\x21-\x7e]+$/;
/** Header name characters (RFC 9110 tokens), by char code: 1, or CAPITAL for A-Z. */
const CAPITAL = 2;
const TOKEN_CHARS = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") TOKEN_CHARS[c.charCodeAt(0)] = 1;
for (let c = 65; c <= 90; c++) TOKEN_CHARS[c] = CAPITAL;
/** What node:http writes in a header value. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const DIGITS = /^\d{1,9}$/;

function headerLine(name: string, value: string): string {
  // As node:http refuses to write them: a value from a request must not split the response.
  if (!FIELD_VALUE.test(value)) throw new Error(`invalid character in the value of response header ${name}`);
  return `${name}: ${value}\r\n`;
}

// A cache of a function of the time alone, so instances in one process may share it.
let dateSecond = 0;
let dateText = '';

/** The Date header's value, made once a second as node:http makes it. */
function utcDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

async function readWhole(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
