// `npm run bench`: runs every benchmark in one go and writes docs/BENCHMARKS.md.
// Servers run as separate processes; each figure compares ratios measured in the same run.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { coreBench } from './core.js';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 3);
const sections: string[] = [];
sections.push(...(await coreBench(seconds)));

const doc = [
  '# Benchmarks',
  '',
  `Produced by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node.js ${process.version}, ${seconds} s per load.`,
  'These shared machines are noisy: compare ratios within one run, not absolute numbers across runs.',
  '',
  ...sections,
].join('\n');
writeFileSync(new URL('../../docs/BENCHMARKS.md', import.meta.url), doc);
process.stdout.write(doc + '\n');
