// `npm run bench`: runs every benchmark in one go and writes docs/BENCHMARKS.md.
// Servers run as separate processes; each figure compares ratios measured in the same run.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { coreBench } from './core.js';
import { closeBenchClients } from './clients.js';
import { dynamodbBench } from './dynamodb.js';
import { ec2Bench } from './ec2.js';
import { iamBench } from './iam.js';
import { s3Bench } from './s3.js';
import { sqsBench } from './sqs.js';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 3);
// BENCH_ONLY=core,s3 runs a subset (for working on one); the recorded file comes from a full run.
const only = process.env['BENCH_ONLY']?.split(',');
const wanted = (name: string) => !only || only.includes(name);
const sections: string[] = [];
let getCallerIdentityCpu: number | undefined;
if (wanted('core')) {
  const core = await coreBench(seconds);
  sections.push(...core.lines);
  getCallerIdentityCpu = core.sdkCpuUsPerReq;
}
if (wanted('s3')) sections.push(...(await s3Bench(seconds)));
if (wanted('sqs')) sections.push(...(await sqsBench(seconds, getCallerIdentityCpu)));
if (wanted('dynamodb')) sections.push(...(await dynamodbBench(seconds)));
if (wanted('iam')) sections.push(...(await iamBench(seconds)));
if (wanted('ec2')) sections.push(...(await ec2Bench(seconds)));
closeBenchClients();

const doc = [
  '# Benchmarks',
  '',
  `Produced by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node.js ${process.version}, ${seconds} s per load.`,
  'These shared machines are noisy: compare ratios within one run, not absolute numbers across runs.',
  '',
  ...sections,
].join('\n');
if (!only) writeFileSync(new URL('../../docs/BENCHMARKS.md', import.meta.url), doc);
process.stdout.write(doc + '\n');
