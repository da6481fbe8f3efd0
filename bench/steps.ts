// Generate and ingest, each in a child process of its own so that each step's peak RSS is its own
// (maxRSS never goes down within a process). The child reports on its last stdout line as JSON.
//   node --import tsx bench/steps.ts generate <exports> <orders> <end>
//   node --import tsx bench/steps.ts ingest <exports> <snapshotsRoot>
// Per-table seconds come from the steps' progress events: generate reports each table once it
// is written (so a table's time is its SQL and its file); ingest reports reading each source file,
// then checking and writing each table, so a table's time is read + check + write, and what
// follows the last table (quality report, KPI rollups, publish) is a row of its own.
import { execFile } from 'node:child_process';
import { basename, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { generateSample } from '../server/sample/generate.ts';
import { ingest } from '../server/snapshots/ingest.ts';
import { SEED } from './common.ts';

export interface TableFigures {
  table: string;
  rows: number;
  seconds: number;
}

export interface StepFigures {
  step: 'generate' | 'ingest';
  seconds: number;
  rows: number;
  peakRssMb: number;
  tables: TableFigures[];
  /** ingest only: quality report, KPI rollups and the publish after the last table */
  afterTables?: number;
  snapshotId?: string;
}

/** Seconds between consecutive marks, added up per label. */
class Clock {
  private last = performance.now();
  readonly spent = new Map<string, number>();
  private label: string | undefined;

  mark(next: string | undefined): void {
    const now = performance.now();
    if (this.label !== undefined) this.spent.set(this.label, (this.spent.get(this.label) ?? 0) + (now - this.last) / 1000);
    this.label = next;
    this.last = now;
  }
}

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function runGenerate(out: string, orders: number, end: string): Promise<StepFigures> {
  const start = performance.now();
  let last = start;
  const spent = new Map<string, number>();
  const summary = await generateSample({
    out, orders, end, seed: SEED,
    onProgress: (p) => {
      const now = performance.now();
      spent.set(p.table, (now - last) / 1000);
      last = now;
    },
  });
  const seconds = (performance.now() - start) / 1000;
  const tables = Object.entries(summary.tables).map(([table, w]) => ({ table, rows: w.rows, seconds: spent.get(table) ?? 0 }));
  return { step: 'generate', seconds, rows: tables.reduce((s, t) => s + t.rows, 0), peakRssMb: peakRssMb(), tables };
}

async function runIngest(input: string, snapshotsRoot: string): Promise<StepFigures> {
  const clock = new Clock();
  const start = performance.now();
  const { manifest } = await ingest({
    input, snapshotsRoot,
    onProgress: (p) => clock.mark(p.step === 'read' ? basename(p.detail, extname(p.detail)) : p.step === 'report' ? '(after tables)' : p.detail),
  });
  const seconds = (performance.now() - start) / 1000;
  clock.mark(undefined);
  const tables = Object.entries(manifest.tables).map(([table, entry]) => ({ table, rows: entry.rows, seconds: clock.spent.get(table) ?? 0 }));
  return {
    step: 'ingest', seconds, rows: tables.reduce((s, t) => s + t.rows, 0), peakRssMb: peakRssMb(), tables,
    afterTables: clock.spent.get('(after tables)') ?? 0, snapshotId: manifest.id,
  };
}

/** Runs one step in a child process and returns its figures. */
export async function runStep(args: string[]): Promise<StepFigures> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, ...args], { maxBuffer: 64 * 2 ** 20 });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as StepFigures;
}

async function main(): Promise<void> {
  const [step, ...args] = process.argv.slice(2);
  const figures = step === 'generate' ? await runGenerate(args[0], Number(args[1]), args[2])
    : step === 'ingest' ? await runIngest(args[0], args[1])
    : undefined;
  if (!figures) throw new Error(`bench/steps.ts: unknown step "${step}" (generate or ingest)`);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
