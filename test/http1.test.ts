import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { Nimbus } from '../src/index.js';
import { clientConfig, start } from './helpers.js';

/**
 * Nimbus reads the JSON and query protocols' requests itself and leaves the rest to node:http
 * (src/gateway/http1.ts). These tests speak HTTP/1.1 on raw sockets, so they control how bytes
 * arrive, and check what a client sees: status, headers, bodies, and the connection staying usable.
 */

const auth = (service: string) => `AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`;

function post(target: string, body: string, extra: Record<string, string> = {}): string {
  const service = target.startsWith('AmazonSQS.') ? 'sqs' : 'dynamodb';
  const headers = { Host: 'localhost', 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': target, Authorization: auth(service), 'Content-Length': String(Buffer.byteLength(body)), ...extra };
  return `POST / HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`;
}

interface Response {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Reads HTTP/1.1 responses off a socket, in order, each framed by Content-Length or chunked. */
class Reader {
  private buf = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  closed = false;

  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiting?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
  }

  async next(): Promise<Response> {
    for (;;) {
      const r = this.parse();
      if (r) return r;
      if (this.closed) throw new Error(`connection closed; unread: ${this.buf.toString()}`);
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  private parse(): Response | undefined {
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const [statusLine, ...lines] = this.buf.toString('latin1', 0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const l of lines) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
    const status = Number(statusLine!.split(' ')[1]);
    let at = end + 4;
    let body = '';
    if (headers['transfer-encoding'] === 'chunked') {
      for (;;) {
        const lineEnd = this.buf.indexOf('\r\n', at);
        if (lineEnd < 0) return undefined;
        const size = parseInt(this.buf.toString('latin1', at, lineEnd), 16);
        if (this.buf.length < lineEnd + 2 + size + 2) return undefined;
        body += this.buf.toString('utf8', lineEnd + 2, lineEnd + 2 + size);
        at = lineEnd + 2 + size + 2;
        if (size === 0) break;
      }
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (this.buf.length < at + length) return undefined;
      body = this.buf.toString('utf8', at, at + length);
      at += length;
    }
    // A 100 Continue is an interim answer before the real one.
    this.buf = this.buf.subarray(at);
    return { status, headers, body };
  }
}

function open(nimbus: Nimbus): Promise<Reader> {
  return new Promise((resolve, reject) => {
    const socket = connect(nimbus.port, '127.0.0.1', () => resolve(new Reader(socket)));
    socket.once('error', reject);
  });
}

describe('HTTP/1.1 connections', () => {
  let nimbus: Nimbus;
  before(async () => {
    nimbus = await start({ maxBodyBytes: 2048 });
  });
  after(() => nimbus.stop());

  it('answers a JSON-protocol request with AWS headers, Date, keep-alive, and the connection stays open', async () => {
    const r = await open(nimbus);
    r.socket.write(post('DynamoDB_20120810.ListTables', '{}'));
    const res = await r.next();
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { TableNames: [] });
    assert.equal(res.headers['content-type'], 'application/x-amz-json-1.0');
    assert.equal(res.headers['server'], 'Nimbus');
    assert.match(res.headers['x-amzn-requestid'] ?? '', /^[0-9a-f-]{36}$|^[A-Z0-9]{52}$/);
    assert.equal(Number(res.headers['content-length']), Buffer.byteLength(res.body));
    assert.ok(!Number.isNaN(Date.parse(res.headers['date'] ?? '')));
    assert.equal(res.headers['connection'], 'keep-alive');
    r.socket.write(post('DynamoDB_20120810.DescribeTable', '{"TableName":"nope"}'));
    const missing = await r.next();
    assert.equal(missing.status, 400);
    assert.match(JSON.parse(missing.body).__type, /ResourceNotFoundException$/);
    r.socket.destroy();
  });

  it('answers pipelined requests in order, and a request that arrives a byte at a time', async () => {
    const r = await open(nimbus);
    r.socket.write(post('DynamoDB_20120810.ListTables', '{}') + post('DynamoDB_20120810.DescribeTable', '{"TableName":"absent"}') + post('DynamoDB_20120810.ListTables', '{"Limit":0}'));
    assert.equal((await r.next()).status, 200);
    assert.match((await r.next()).body, /ResourceNotFoundException/);
    assert.match((await r.next()).body, /ValidationException/);
    const bytes = Buffer.from(post('DynamoDB_20120810.ListTables', '{"Limit": 5}'));
    for (const byte of bytes) {
      r.socket.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(JSON.parse((await r.next()).body), { TableNames: [] });
    r.socket.destroy();
  });

  it('hands the connection to node:http for other requests, and it keeps serving every kind', async () => {
    const r = await open(nimbus);
    r.socket.write(post('DynamoDB_20120810.ListTables', '{}'));
    assert.equal((await r.next()).status, 200);
    // A GET of Nimbus's own routes, then a chunked body: neither is read by Nimbus's reader.
    r.socket.write('GET /_nimbus/health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const health = await r.next();
    assert.equal(health.status, 200);
    assert.equal(JSON.parse(health.body).status, 'running');
    const body = '{"Limit":3}';
    const chunked = post('DynamoDB_20120810.ListTables', '', { 'Transfer-Encoding': 'chunked' }).replace(/Content-Length: 0\r\n/, '');
    r.socket.write(`${chunked}${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`);
    const res = await r.next();
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { TableNames: [] });
    // The same connection, now node:http's, still answers the JSON protocol.
    r.socket.write(post('DynamoDB_20120810.DescribeTable', '{"TableName":"absent"}'));
    assert.match((await r.next()).body, /ResourceNotFoundException/);
    r.socket.destroy();
  });

  it('leaves Expect: 100-continue to node:http, which answers 100 and then the request', async () => {
    const r = await open(nimbus);
    const request = post('DynamoDB_20120810.ListTables', '{}', { Expect: '100-continue' });
    r.socket.write(request.slice(0, request.length - 2));
    const interim = await r.next();
    assert.equal(interim.status, 100);
    r.socket.write('{}');
    assert.deepEqual(JSON.parse((await r.next()).body), { TableNames: [] });
    r.socket.destroy();
  });

  it('refuses a body over the configured limit with RequestEntityTooLarge, and keeps what is stored', async () => {
    const ddb = new DynamoDBClient(clientConfig(nimbus));
    const r = await open(nimbus);
    r.socket.write(post('DynamoDB_20120810.ListTables', JSON.stringify({ ExclusiveStartTableName: 'x'.repeat(3000) })));
    const res = await r.next();
    assert.equal(res.status, 413);
    assert.match(res.body, /RequestEntityTooLarge/);
    r.socket.destroy();
    assert.deepEqual((await ddb.send(new ListTablesCommand({}))).TableNames, []);
    ddb.destroy();
  });

  it('a malformed header (a bare LF) is refused by node:http with 400, not read as two headers', async () => {
    const r = await open(nimbus);
    r.socket.write(post('DynamoDB_20120810.ListTables', '{}', { 'X-Split': 'a\nX-Amz-Target: DynamoDB_20120810.DeleteTable' }));
    const res = await r.next();
    assert.equal(res.status, 400);
    r.socket.destroy();
  });

  it('a request without Host is refused with 400, as HTTP/1.1 requires', async () => {
    const r = await open(nimbus);
    r.socket.write(post('DynamoDB_20120810.ListTables', '{}').replace('Host: localhost\r\n', ''));
    assert.equal((await r.next()).status, 400);
    r.socket.destroy();
  });

  it('two different Content-Lengths are refused with 400 (request smuggling), not read by either', async () => {
    const r = await open(nimbus);
    r.socket.write(post('DynamoDB_20120810.ListTables', '{}').replace('Content-Length: 2\r\n', 'Content-Length: 2\r\ncontent-length: 9\r\n'));
    assert.equal((await r.next()).status, 400);
    r.socket.destroy();
  });

  it('Connection: close is answered with connection: close, and the server ends the connection', async () => {
    const r = await open(nimbus);
    r.socket.write(post('DynamoDB_20120810.ListTables', '{}', { Connection: 'close' }));
    const res = await r.next();
    assert.equal(res.status, 200);
    assert.equal(res.headers['connection'], 'close');
    await new Promise((resolve) => (r.closed ? resolve(undefined) : r.socket.once('close', resolve)));
  });

  it('a client that ends its side after sending still reads the answers, then the server ends the connection', async () => {
    const r = await open(nimbus);
    r.socket.write(post('AmazonSQS.CreateQueue', '{"QueueName":"half-open"}'));
    const { QueueUrl } = JSON.parse((await r.next()).body) as { QueueUrl: string };
    // A long poll answers a second later, after the client has ended its side.
    r.socket.end(post('AmazonSQS.ReceiveMessage', JSON.stringify({ QueueUrl, WaitTimeSeconds: 1 })) + post('DynamoDB_20120810.DescribeTable', '{"TableName":"absent"}'));
    const polled = await r.next();
    assert.equal(polled.status, 200);
    assert.deepEqual(JSON.parse(polled.body), {});
    assert.match((await r.next()).body, /ResourceNotFoundException/);
    await new Promise((resolve) => (r.closed ? resolve(undefined) : r.socket.once('close', resolve)));
  });

  it('stop() ends open connections, both those read here and those handed to node:http', async () => {
    const other = await start();
    const fast = await open(other);
    fast.socket.write(post('DynamoDB_20120810.ListTables', '{}'));
    await fast.next();
    const handed = await open(other);
    handed.socket.write('GET /_nimbus/health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await handed.next();
    await other.stop();
    await Promise.all([fast, handed].map((r) => new Promise((resolve) => (r.closed ? resolve(undefined) : r.socket.once('close', resolve)))));
  });
});
