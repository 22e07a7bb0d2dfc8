import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';

/**
 * Benchmark tools: servers run as their own processes, so the server's CPU time comes from
 * its own accounting (/proc/<pid>/stat) and not from the load generator's, which on a 2-core
 * machine saturates a core long before a good server does.
 */
export interface Server {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

/** User + system CPU milliseconds the process has used so far. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/**
 * CPU time of all the process's threads from the scheduler's nanosecond accounting: fine enough
 * for a start-up of a few hundred milliseconds, where /proc/PID/stat counts 10 ms ticks.
 */
export function threadCpuMs(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
  return ns / 1e6;
}

export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/**
 * A port nothing listens on, as the kernel picks it: a fixed range could hold one of the load
 * generators' own outgoing ports (Linux takes those from 32768-60999), and the server then failed to bind.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts `node args...` with `{port}` replaced, and resolves once `ready(port)` succeeds. */
export async function startServer(args: string[], ready: (port: number) => Promise<boolean>, env: NodeJS.ProcessEnv = process.env): Promise<Server & { startMs: number; startCpuMs: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const child: ChildProcess = spawn(process.execPath, args.map((a) => a.replace('{port}', String(port))), { stdio: ['ignore', 'ignore', 'inherit'], env });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    if (await ready(port).catch(() => false)) break;
    if (Date.now() > deadline) throw new Error('server did not become ready in 10 s');
    await new Promise((r) => setTimeout(r, 2));
  }
  const startMs = performance.now() - t0;
  return {
    pid: child.pid!,
    port,
    startMs,
    // The CPU the process used to get there: steadier than wall time on a busy machine.
    startCpuMs: threadCpuMs(child.pid!),
    stop: () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

export interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Server CPU time per request, microseconds. */
  cpuUsPerReq: number;
}

/**
 * Replays one fixed, pre-signed request from `connections` keep-alive connections for `seconds`:
 * a generator much lighter than an SDK client, so the server is what saturates.
 */
export async function replay(server: Server, request: { method: string; path: string; headers: Record<string, string>; body?: string }, connections: number, seconds: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers = { ...request.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
  const once = () => new Promise<number>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, method: request.method, path: request.path, headers, agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
  let failed = 0;
  const result = await loop(server, async () => {
    const status = await once();
    if (status >= 300) failed++;
  }, connections, seconds);
  agent.destroy();
  return { ...result, errors: result.errors + failed };
}

/** Runs `call` from `concurrency` loops for `seconds` (e.g. an SDK v3 client with keep-alive). */
export async function loop(server: Server, call: () => Promise<unknown>, concurrency: number, seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const cpu0 = cpuMs(server.pid);
  const end = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        await call();
        latencies.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
  }));
  const cpu = cpuMs(server.pid) - cpu0;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? 0;
  return {
    requests: latencies.length + errors,
    errors,
    rps: latencies.length / seconds,
    p50Ms: pct(50),
    p99Ms: pct(99),
    cpuUsPerReq: (cpu * 1000) / Math.max(latencies.length, 1),
  };
}

/** A request signed once, for replay. */
export interface SignedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A server and the requests replayed to it, in turn. */
export interface Replayed {
  server: Server;
  requests: SignedRequest[];
}

/**
 * Loads several servers in lockstep: each of `connections` loops sends one request to every
 * server in turn, for `seconds`; one result per server. So all answer the same number of
 * requests at the same pace in the same seconds. On a shared machine the load of other
 * processes drifts within seconds, and servers measured one after the other (or loaded
 * independently at the same time, the slower one then getting fewer requests) differed by
 * 0.7x to 1.3x when identical. Each server's requests are replayed in order, round-robin.
 */
export async function lockstep(targets: Replayed[], connections: number, seconds: number): Promise<LoadResult[]> {
  const agents = targets.map(() => new Agent({ keepAlive: true, maxSockets: connections }));
  const prepared = targets.map((t) => t.requests.map((r) => {
    const body = Buffer.from(r.body);
    return { method: r.method, path: r.path, headers: Object.assign({}, r.headers, { 'content-length': String(body.length) }), body };
  }));
  const next = targets.map(() => 0);
  const once = (i: number) => new Promise<number>((resolve, reject) => {
    const all = prepared[i]!;
    const r = all[next[i]!++ % all.length]!;
    const req = httpRequest({ host: '127.0.0.1', port: targets[i]!.server.port, method: r.method, path: r.path, headers: r.headers, agent: agents[i] }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(r.body);
  });
  const latencies = targets.map((): number[] => []);
  const errors = targets.map(() => 0);
  const cpu0 = targets.map((t) => cpuMs(t.server.pid));
  const end = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: connections }, async () => {
    // Which server goes first alternates, so that neither always follows the other.
    for (let turn = 0; performance.now() < end; turn++) {
      for (let k = 0; k < targets.length; k++) {
        const i = (k + turn) % targets.length;
        const t = performance.now();
        const status = await once(i).catch(() => 0);
        if (status === 0 || status >= 300) errors[i]!++;
        else latencies[i]!.push(performance.now() - t);
      }
    }
  }));
  const cpu = targets.map((t, i) => cpuMs(t.server.pid) - cpu0[i]!);
  agents.forEach((a) => a.destroy());
  return targets.map((_, i) => {
    const sorted = latencies[i]!.sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
    return { requests: sorted.length + errors[i]!, errors: errors[i]!, rps: sorted.length / seconds, p50Ms: pct(50), p99Ms: pct(99), cpuUsPerReq: (cpu[i]! * 1000) / Math.max(sorted.length, 1) };
  });
}

/**
 * One load measured on two servers in lockstep: a warm-up, then `rounds` rounds; the median round
 * of each, and each round's ratio of server CPU per request, `other` over `base`.
 */
export async function compare(base: Replayed, other: Replayed, c: number, seconds: number, rounds: number): Promise<{ base: LoadResult; other: LoadResult; ratios: number[] }> {
  // A fresh load's first seconds run partly in V8's baseline tiers and charge the optimizing
  // compiler's threads to the requests measured; the warm-up also writes the keys a PutItem load rewrites.
  await lockstep([base, other], c, Math.min(2, seconds));
  const results: LoadResult[][] = [];
  for (let i = 0; i < rounds; i++) results.push(await lockstep([base, other], c, Math.max(1, (seconds * 2) / 3)));
  return { base: medianBy(results.map(([b]) => b!)), other: medianBy(results.map(([, o]) => o!)), ratios: results.map(([b, o]) => o!.cpuUsPerReq / b!.cpuUsPerReq) };
}

export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The round whose server CPU per request is the median one. */
export function medianBy(results: LoadResult[]): LoadResult {
  return [...results].sort((a, b) => a.cpuUsPerReq - b.cpuUsPerReq)[Math.floor(results.length / 2)]!;
}

export function row(name: string, r: LoadResult, baseline?: LoadResult): string {
  const ratio = baseline ? ` | ${(r.cpuUsPerReq / baseline.cpuUsPerReq).toFixed(2)}x` : ' | ';
  return `| ${name} | ${r.requests} | ${r.errors} | ${Math.round(r.rps)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.cpuUsPerReq.toFixed(1)}${ratio} |`;
}

export const TABLE_HEAD = '| load | requests | errors | req/s | p50 ms | p99 ms | server CPU µs/req | vs bare |\n|---|---|---|---|---|---|---|---|';
