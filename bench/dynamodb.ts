import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { config } from './clients.js';
import { startBareServer, startNimbusProcess, startSocketServer } from './core.js';
import { compare, median, row, startServer, TABLE_HEAD, type LoadResult, type Replayed, type Server, type SignedRequest } from './lib.js';

/**
 * The large table: a million items in partitions of 100, so a 100-item Query reads one partition.
 * BENCH_DYNAMODB_ITEMS makes it smaller while working on the benchmark; the recorded run uses 1M.
 */
const BIG_ITEMS = Number(process.env['BENCH_DYNAMODB_ITEMS'] ?? 1_000_000);
const PER_PARTITION = 100;
/** dynalite fills far more slowly; it gets this long and is measured at whatever size it reached. */
const DYNALITE_FILL_SECONDS = 60;
/** Measurement rounds per load, each giving one Nimbus/dynalite ratio. */
const ROUNDS = 7;
/** Distinct requests signed per load and server, replayed in turn. */
const SIGNED = 2000;

const keySchema = {
  BillingMode: 'PAY_PER_REQUEST' as const,
  AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' as const }, { AttributeName: 'sk', AttributeType: 'N' as const }],
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }, { AttributeName: 'sk', KeyType: 'RANGE' as const }],
};

const bigItem = (i: number) => ({ pk: { S: `p${Math.floor(i / PER_PARTITION)}` }, sk: { N: String(i % PER_PARTITION) }, v: { S: 'x'.repeat(100) } });

/** SHA-256 and HMAC from node:crypto for the signer (the SDK's pure-JS one would be the bottleneck). */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256')
      : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret instanceof ArrayBuffer ? new Uint8Array(secret) : new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength)));
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    throw new Error('not reusable');
  }
}

/**
 * Writes items 0..count-1 with BatchWriteItem (25 a call) from 16 concurrent loops, retrying
 * UnprocessedItems, until done or `budgetSeconds` have passed. Each call is signed with SigV4
 * like the SDK's, but built from a string, so the load generator keeps up with the server.
 * Returns how many items are stored.
 */
async function fill(port: number, table: string, count: number, budgetSeconds: number): Promise<{ items: number; seconds: number }> {
  const signer = new SignatureV4({ service: 'dynamodb', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, sha256: NodeSha256 });
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const post = async (body: string): Promise<{ UnprocessedItems?: Record<string, unknown[]> }> => {
    const signed = await signer.sign({
      method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port, path: '/', query: {}, body,
      headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.BatchWriteItem' },
    });
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: { ...signed.headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString()) as { UnprocessedItems?: Record<string, unknown[]> })
          : reject(new Error(`BatchWriteItem answered ${res.statusCode}: ${Buffer.concat(chunks).toString()}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  };
  const t0 = performance.now();
  let next = 0;
  let written = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < count && performance.now() - t0 < budgetSeconds * 1000) {
      const start = next;
      const end = Math.min(count, start + 25);
      next = end;
      let requests: Record<string, unknown[]> = { [table]: Array.from({ length: end - start }, (_, j) => ({ PutRequest: { Item: bigItem(start + j) } })) };
      while (Object.keys(requests).length > 0) requests = (await post(JSON.stringify({ RequestItems: requests }))).UnprocessedItems ?? {};
      written += end - start;
    }
  }));
  agent.destroy();
  return { items: Math.min(written, count), seconds: (performance.now() - t0) / 1000 };
}

const LOADS = ['PutItem', 'GetItem', 'Query 100 items'] as const;
type Load = (typeof LOADS)[number];
const random = (n: number) => Math.floor(Math.random() * n);

/** The requests of one load: the n-th of `SIGNED`, for a table of `items` items (0: the "empty" one). */
function command(load: Load, items: number, n: number) {
  const page = (pk: string) => new QueryCommand({ TableName: items ? 'big' : 'bench', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: pk } }, Limit: 100 });
  // The empty table's PutItem keys are the ones its GetItem reads; on the large table every load
  // touches items spread over all of it, not a hot few.
  const key = (): Record<string, AttributeValue> => (items ? bigItem(random(items)) : { pk: { S: `k${n % 1000}` }, sk: { N: '1' }, v: { S: 'x'.repeat(100) } });
  switch (load) {
    case 'PutItem': return new PutItemCommand({ TableName: items ? 'big' : 'bench', Item: key() });
    case 'GetItem': {
      const { pk, sk } = key();
      return new GetItemCommand({ TableName: items ? 'big' : 'bench', Key: { pk: pk!, sk: sk! } });
    }
    case 'Query 100 items': return page(items ? `p${random(Math.floor(items / PER_PARTITION))}` : 'page');
  }
}

/**
 * Requests as the SDK v3 client signs them (the same headers, the same signature work for the
 * server), captured instead of sent: a request handler that answers every call with `{}`.
 */
async function signedBySdk(port: number, commands: ReturnType<typeof command>[]): Promise<SignedRequest[]> {
  const captured: SignedRequest[] = [];
  const requestHandler = {
    // The JSON protocol's body is bytes (a Uint8Array that also answers string methods, with a warning).
    handle: (request: { method: string; path: string; headers: Record<string, string>; body: Uint8Array }) => {
      captured.push({ method: request.method, path: request.path, headers: request.headers, body: Buffer.from(request.body).toString('utf8') });
      return Promise.resolve({ response: { statusCode: 200, headers: {}, body: new TextEncoder().encode('{}') } });
    },
  };
  const client = new DynamoDBClient({ ...config(port), requestHandler });
  // One at a time: a command is shared by no two sends, but the client's middleware stack is.
  for (const c of commands) await client.send(c as PutItemCommand);
  client.destroy();
  return captured;
}

/** The bench tables (the large one still empty) and the 200-item Query partition. */
async function prepare(server: Server): Promise<void> {
  const ddb = new DynamoDBClient(config(server.port));
  await ddb.send(new CreateTableCommand({ TableName: 'bench', ...keySchema }));
  await ddb.send(new CreateTableCommand({ TableName: 'big', ...keySchema }));
  await new Promise((r) => setTimeout(r, 50));
  for (let i = 0; i < 200; i++) await ddb.send(new PutItemCommand({ TableName: 'bench', Item: { pk: { S: 'page' }, sk: { N: String(i) }, v: { S: 'x'.repeat(100) } } }));
  ddb.destroy();
}

/**
 * Nimbus against dynalite, both running side by side and loaded in lockstep with the same
 * SDK-signed requests replayed (see `lockstep`): the ratio of each load is the median of its
 * rounds' ratios of server CPU per request, from each server process's own CPU accounting.
 */
export async function dynamodbBench(seconds: number): Promise<string[]> {
  const dynalite = await startServer([new URL('../../node_modules/dynalite/cli.js', import.meta.url).pathname, '--port', '{port}', '--createTableMs', '0'],
    async (port) => (await fetch(`http://127.0.0.1:${port}/`)).status > 0);
  const nimbus = await startNimbusProcess();
  // A second Nimbus that keeps only the small tables: the large table's loads on the first are
  // measured against it in lockstep, to show whether a request costs more on a million items.
  const small = await startNimbusProcess();
  const bare = await startBareServer();
  const socket = await startSocketServer(JSON.stringify({ Item: { pk: { S: 'k1' }, sk: { N: '1' }, v: { S: 'x'.repeat(100) } } }));
  await prepare(dynalite);
  await prepare(nimbus);
  await prepare(small);
  // The empty table's loads run before the large table is filled: dynalite holds its tables in its
  // heap, and a million items there make each of its requests cost it more (its garbage collector
  // walks them), which would flatter the ratio of the empty-table rows.
  let dFill = { items: 0, seconds: 0 };
  let nFill = { items: 0, seconds: 0 };

  const count = (items: number) => (items >= 1_000_000 ? `${items / 1_000_000}M` : `${Math.round(items / 1000)}k`);
  const lines: string[] = [];
  const notes: string[] = [];
  const flat: string[] = [];
  const floor: string[] = [];
  for (const table of ['empty', 'big'] as const) {
    if (table === 'big') {
      dFill = await fill(dynalite.port, 'big', BIG_ITEMS, DYNALITE_FILL_SECONDS);
      nFill = await fill(nimbus.port, 'big', BIG_ITEMS, Infinity);
    }
    for (const c of [1, 16]) {
      for (const load of LOADS) {
        const signed = async (server: Server, items: number): Promise<Replayed> => ({
          server, requests: await signedBySdk(server.port, Array.from({ length: SIGNED }, (_, n) => command(load, items, n))),
        });
        const fromDynalite = await signed(dynalite, table === 'big' ? dFill.items : 0);
        const r = await compare(fromDynalite, await signed(nimbus, table === 'big' ? nFill.items : 0), c, seconds, ROUNDS);
        if (table === 'empty' && load === 'GetItem') {
          const f = await compare(fromDynalite, { server: bare, requests: fromDynalite.requests }, c, seconds, ROUNDS);
          floor.push(row(`dynalite GetItem, empty table, c=${c}`, f.base));
          floor.push(row(`node:http answering every GetItem with a fixed body, c=${c}`, f.other).replace(/ \| {2}\|$/, ` | ${median(f.ratios).toFixed(2)}x |`));
          const s = await compare(fromDynalite, { server: socket, requests: fromDynalite.requests }, c, seconds, ROUNDS);
          floor.push(row(`dynalite GetItem, empty table, c=${c}`, s.base));
          floor.push(row(`node:net writing a fixed response for every GetItem read, c=${c}`, s.other).replace(/ \| {2}\|$/, ` | ${median(s.ratios).toFixed(2)}x |`));
        }
        const label = (items: number) => (table === 'big' ? `${count(items)}-item table` : 'empty table');
        lines.push(row(`dynalite ${load}, ${label(dFill.items)}, c=${c}`, r.base));
        lines.push(row(`Nimbus ${load}, ${label(nFill.items)}, c=${c}`, r.other).replace(/ \| {2}\|$/, ` | ${median(r.ratios).toFixed(2)}x |`));
        notes.push(`${load}, ${label(table === 'big' ? nFill.items : 0)}, c=${c}: ${r.ratios.map((x) => x.toFixed(2)).join(', ')}`);
        if (table === 'big' && load !== 'Query 100 items') {
          // The same load on both sizes at once: the Nimbus holding only the small tables, and the one holding the large table too.
          const f = await compare(await signed(small, 0), await signed(nimbus, nFill.items), c, seconds, ROUNDS);
          flat.push(`| ${load}, c=${c} | ${f.base.cpuUsPerReq.toFixed(1)} | ${f.other.cpuUsPerReq.toFixed(1)} | ${median(f.ratios).toFixed(2)}x (${f.ratios.map((x) => x.toFixed(2)).join(', ')}) |`);
        }
      }
    }
  }
  await dynalite.stop();
  await nimbus.stop();
  await small.stop();
  await bare.stop();
  await socket.stop();

  const rate = (f: { items: number; seconds: number }) => `${count(f.items)} items in ${f.seconds.toFixed(0)} s (${Math.round(f.items / f.seconds)} items/s)`;
  const roundSeconds = Math.max(1, (seconds * 2) / 3);
  return ['## DynamoDB, against dynalite', '', TABLE_HEAD.replace('vs bare', 'vs dynalite'), ...lines, '',
    'Target: server CPU per PutItem and GetItem at most half of dynalite\'s (ratio ≤ 0.5).', '',
    `Both servers run side by side and are loaded in lockstep: each connection sends one request to dynalite, then one to Nimbus, and again, so both answer the same requests at the same pace in the same seconds. The requests are signed once by the SDK v3 client (${SIGNED} per load and server, with the keys below) and replayed, so the load generator does not starve the servers. After a warm-up, each load runs ${ROUNDS} rounds of ${roundSeconds.toFixed(1)} s; a row is its server's median round, and the ratio is the median of the rounds' ratios of server CPU per request (each from the server process's own CPU accounting), which were: ${notes.join('; ')}.`, '',
    `The "empty" table holds the 200-item Query partition and the 1000 items its PutItem load rewrites and its GetItem load reads; its loads run before the large table is filled, as dynalite keeps its tables in its heap and a million items there raise its CPU per request on every table. The large table was filled by SigV4-signed BatchWriteItem calls (25 items each) from 16 concurrent loops: Nimbus stored ${rate(nFill)}; dynalite, given ${DYNALITE_FILL_SECONDS} s, stored ${rate(dFill)}${dFill.items < nFill.items ? ', so its large-table rows are measured at that size' : ''}. Loads on it pick keys and partitions at random across the whole table.`, '',
    'What any Node.js server costs, against the same dynalite, measured the same way: node:http answering each of the same GetItem requests with a fixed body and doing nothing else (the ceiling of the core section, here in dynalite\'s terms), and a node:net server that parses nothing and writes one fixed response for each chunk it reads, the least a Node.js process can do per request:', '',
    TABLE_HEAD.replace('vs bare', 'vs dynalite'), ...floor, '',
    `Nimbus on the empty table and on the ${count(nFill.items)}-item table (target: flat): two Nimbus processes in lockstep, one holding only the small tables and one holding the large table too, each load on its own table (the median round of each; the ratio is the median of the ${ROUNDS} rounds' ratios, which follow it):`, '',
    '| load | empty table, server CPU µs/req | large table, server CPU µs/req | large / empty |', '|---|---|---|---|', ...flat, ''];
}
