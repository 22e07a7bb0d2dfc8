import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { startNimbus, type Nimbus, type NimbusOptions } from '../src/index.js';

/** Shared set-up for end-to-end tests: a Nimbus in process and real clients pointed at it. */
export async function start(options: NimbusOptions = {}): Promise<Nimbus> {
  return startNimbus({ port: 0, ephemeral: true, logLevel: 'error', ...options });
}

/** A Nimbus in its own process, for what a test must observe from outside: its memory, a crash. */
export interface NimbusProcess {
  pid: number;
  endpoint: string;
  port: number;
  child: ChildProcess;
  /** What it printed up to its `Ready.` line. */
  banner: string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/** The `nimbus` command as installed: the bundle scripts/bundle.mjs builds (package.json `bin`). */
export const CLI = new URL('../bundle/nimbus.cjs', import.meta.url).pathname;

/** Starts `nimbus start` (the built CLI) on a free port; resolves once it prints its ready line. */
export function startProcess(args: string[]): Promise<NimbusProcess> {
  const child = spawn(process.execPath, [CLI, 'start', '--port', '0', '--log-level', 'error', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const exited = (code: number | null) => reject(new Error(`nimbus exited with ${code} before it was ready: ${out}`));
    child.once('exit', exited);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const endpoint = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (!endpoint || !out.includes('Ready.')) return;
      child.off('exit', exited);
      child.stdout!.resume();
      resolve({
        pid: child.pid!,
        endpoint,
        port: Number(new URL(endpoint).port),
        child,
        banner: out,
        stop: () => new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
      });
    });
  });
}

/** Resident memory of a process, in MiB, from /proc. */
export function rssMiB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return kb / 1024;
}

export const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Options for any `@aws-sdk/client-*` v3 client. */
export function clientConfig(nimbus: { endpoint: string }, extra: Record<string, unknown> = {}) {
  return { endpoint: nimbus.endpoint, region: 'us-east-1', credentials, maxAttempts: 1, ...extra };
}

/** AWS CLI v2 from Debian's awscli where installed (CI installs it), else the `aws` on PATH. */
export const AWS_CLI = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

/** Runs the real AWS CLI against Nimbus. */
export function aws(nimbus: { endpoint: string }, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(AWS_CLI, ['--endpoint-url', nimbus.endpoint, '--output', 'json', ...args], {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '/tmp',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_MAX_ATTEMPTS: '1',
        AWS_PAGER: '',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        ...env,
      },
    }, (error, stdout, stderr) => {
      let json: unknown;
      try {
        json = stdout.trim() ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, json });
    });
  });
}

/**
 * The command, sent with `body` as its request body, as written: signed by the SDK, but past the
 * SDK's serializer, which would refuse or reshape a malformed request (it drops a list's nulls).
 */
export function withBody<C extends { middlewareStack: { add: (...args: any[]) => void } }>(command: C, body: string): C {
  command.middlewareStack.add((next: (args: { request: unknown }) => unknown) => (args: { request: unknown }) => {
    (args.request as { body: string }).body = body;
    return next(args);
  }, { step: 'build', priority: 'high' });
  return command;
}

/** Awaits a promise expected to reject; returns the error for assertions. */
export async function rejects(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail, and it succeeded');
}

/**
 * A new queue whose policy, if `allow` is given, lets that AWS service principal send to it for
 * `allow.sourceArn` only (aws:SourceArn), as SNS topics and S3 buckets need under IAM enforcement.
 */
export async function queueAllowing(sqs: SQSClient, name: string, allow?: { service: string; sourceArn: string }): Promise<{ url: string; arn: string }> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!['QueueArn']!;
  if (allow) {
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: allow.service }, Action: 'sqs:SendMessage', Resource: arn, Condition: { ArnEquals: { 'aws:SourceArn': allow.sourceArn } } }],
    });
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy } }));
  }
  return { url, arn };
}
