// npm run bench [-- --orders N] [-- --runs R]: generates a sample, ingests it, prints the figures,
// then times the KPI API on that snapshot (bench/kpis.ts). Results are written to
// bench/results/ingest.json and kpis.json; tests never assert on time.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSample } from '../server/sample/generate.ts';
import { ingest } from '../server/snapshots/ingest.ts';
import { benchKpis, printKpiBench, writeKpiBench } from './kpis.ts';

const { values } = parseArgs({ options: { orders: { type: 'string', default: '1000000' }, end: { type: 'string', default: '2026-11-25' }, runs: { type: 'string', default: '20' } } });
const orders = Number(values.orders);

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

const work = await mkdtemp(join(tmpdir(), 'vigil-bench-'));
try {
  const genStart = performance.now();
  const generated = await generateSample({ out: join(work, 'exports'), orders, end: values.end });
  const genSeconds = (performance.now() - genStart) / 1000;
  const genRss = peakRssMb();

  const ingestStart = performance.now();
  const { manifest, quality } = await ingest({ input: join(work, 'exports'), snapshotsRoot: join(work, 'snapshots') });
  const ingestSeconds = (performance.now() - ingestStart) / 1000;
  const totalRows = Object.values(manifest.tables).reduce((sum, t) => sum + t.rows, 0);

  const rows = [
    { step: 'generate', seconds: genSeconds, rows: Object.values(generated.tables).reduce((s, t) => s + t.rows, 0), peakRssMb: genRss },
    { step: 'ingest', seconds: ingestSeconds, rows: totalRows, peakRssMb: peakRssMb() },
  ];
  console.log(`Vigil bench: ${orders.toLocaleString('en')} orders, ${cpus().length} cores (${cpus()[0]?.model}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  console.table(rows.map((r) => ({ step: r.step, seconds: r.seconds.toFixed(1), rows: r.rows.toLocaleString('en'), 'rows/s': Math.round(r.rows / r.seconds).toLocaleString('en'), 'peak RSS MB': r.peakRssMb })));
  console.table(quality.tables.map((t) => ({ table: t.table, read: t.read, accepted: t.accepted, rejected: t.rejected })));
  await mkdir('bench/results', { recursive: true });
  await writeFile(
    'bench/results/ingest.json',
    `${JSON.stringify({ takenAt: new Date().toISOString(), orders, cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, results: rows }, null, 2)}\n`,
  );

  const runs = Number(values.runs);
  const kpis = await benchKpis(join(work, 'snapshots'), runs);
  printKpiBench(orders, runs, kpis);
  await writeKpiBench(orders, runs, kpis);
} finally {
  await rm(work, { recursive: true, force: true });
}
