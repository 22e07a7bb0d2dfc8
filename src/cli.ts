#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startNimbus, VERSION } from './index.js';
import type { LogLevel } from './gateway/record.js';

const USAGE = `Nimbus ${VERSION}: AWS on your own machine.

Usage:
  nimbus start [--port 4566] [--host 127.0.0.1] [--data-dir DIR] [--ephemeral] [--enforce-iam]
               [--region us-east-1] [--account-id 000000000000] [--log-level info] [--realistic-timing]
  nimbus status [--port 4566] [--host 127.0.0.1]
  nimbus reset  [--port 4566] [--host 127.0.0.1]
`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    ephemeral: { type: 'boolean' },
    'enforce-iam': { type: 'boolean' },
    'realistic-timing': { type: 'boolean' },
    region: { type: 'string' },
    'account-id': { type: 'string' },
    'log-level': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

function fail(message: string): never {
  process.stderr.write(`nimbus: ${message}\n\n${USAGE}`);
  process.exit(2);
}

const command = positionals[0] ?? 'start';
const port = Number(values.port ?? process.env['NIMBUS_PORT'] ?? 4566);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, not ${values.port}`);
const host = values.host ?? '127.0.0.1';
const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

async function main(): Promise<void> {
  if (values.help) {
    process.stdout.write(USAGE);
  } else if (command === 'start') {
    await start();
  } else if (command === 'status' || command === 'reset') {
    const res = await fetch(`${base}/_nimbus/${command === 'status' ? 'health' : 'reset'}`, { method: command === 'status' ? 'GET' : 'POST' })
      .catch(() => fail(`no Nimbus answers at ${base}`));
    process.stdout.write(JSON.stringify(await res.json(), null, 2) + '\n');
  } else {
    fail(`unknown command ${command}`);
  }
}

async function start(): Promise<void> {
  const logLevel = (values['log-level'] ?? 'info') as LogLevel;
  if (!['error', 'warn', 'info', 'debug'].includes(logLevel)) fail(`--log-level must be error, warn, info or debug`);
  const accountId = values['account-id'];
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) fail('--account-id must be 12 digits');
  const nimbus = await startNimbus({
    port,
    host,
    ephemeral: values.ephemeral ?? false,
    enforceIam: values['enforce-iam'] ?? false,
    realisticTiming: values['realistic-timing'] ?? false,
    logLevel,
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(accountId ? { accountId } : {}),
  }).catch((e: NodeJS.ErrnoException) => fail(e.code === 'EADDRINUSE' ? `port ${port} is already in use` : e.message));
  process.stdout.write(`Nimbus ${VERSION} listening on ${nimbus.endpoint}${values.ephemeral ? ' (ephemeral)' : ''}${values['enforce-iam'] ? ' (IAM enforced)' : ''}${values['realistic-timing'] ? ' (realistic timing)' : ''}\nReady.\n`);
  const shutdown = () => {
    void nimbus.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

// No top-level await: the CLI bundle is CommonJS (see scripts/bundle.mjs).
void main();
