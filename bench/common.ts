// What every bench part shares: timing, percentiles, the machine it ran on, and its results file.
// Each part keeps one file, bench/results/<part>.json, with one entry per order count, so that a
// 10M run does not erase the 1M figures taken earlier.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { openDuck } from '../server/db/duck.ts';

export const RESULTS_DIR = 'bench/results';

export interface Stats {
  p50: number;
  p95: number;
  p99: number;
  n: number;
}

/** Nearest-rank percentiles. */
export function stats(ms: number[]): Stats {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), n: sorted.length };
}

export async function time(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

export async function repeat(runs: number, work: () => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push(await time(work));
  return ms;
}

/** Like repeat, but a slow call stops after `budgetMs` once it has `minRuns` samples (stats carry n). */
export async function repeatWithin(runs: number, budgetMs: number, work: () => Promise<unknown>, minRuns = 5): Promise<number[]> {
  const ms: number[] = [];
  let spent = 0;
  while (ms.length < runs && (spent < budgetMs || ms.length < minRuns)) {
    ms.push(await time(work));
    spent += ms.at(-1)!;
  }
  return ms;
}

export const fmt = (s: Stats | null | undefined): string => (s ? `${s.p50.toFixed(1)} / ${s.p95.toFixed(1)} / ${s.p99.toFixed(1)}` : '–');

export const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  duckdb: string;
  postgres: string | null;
  /** the 1-minute load average when the bench started: other work on the machine skews every figure */
  loadAverage: number;
}

let machine: Machine | undefined;

/** The PostgreSQL server binaries of the newest Debian package installed, if any. */
export function postgresBin(): string | null {
  try {
    const versions = execFileSync('ls', ['/usr/lib/postgresql'], { encoding: 'utf8' }).split('\n').filter(Boolean).sort((a, b) => Number(b) - Number(a));
    return versions.length ? join('/usr/lib/postgresql', versions[0], 'bin') : null;
  } catch {
    return null;
  }
}

export async function machineInfo(): Promise<Machine> {
  if (machine) return machine;
  const duck = await openDuck();
  const conn = await duck.connect();
  const reader = await conn.runAndReadAll('SELECT version() AS v');
  const duckdb = String(reader.getRowObjects()[0].v);
  conn.closeSync();
  duck.closeSync();
  const bin = postgresBin();
  const postgres = bin ? execFileSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }).trim() : null;
  machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, duckdb, postgres, loadAverage: loadavg()[0] };
  return machine;
}

export const SEED = 1;

/** Stores one part's figures for one order count beside those of the other counts. */
export async function saveResult(part: string, orders: number, figures: unknown): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${part}.json`);
  let sizes: Record<string, unknown> = {};
  try {
    const previous = JSON.parse(await readFile(file, 'utf8')) as { sizes?: Record<string, unknown> };
    sizes = previous.sizes ?? {};
  } catch {
    // first run of this part, or an older file without sizes: start afresh
  }
  sizes[String(orders)] = { takenAt: new Date().toISOString(), orders, seed: SEED, machine: await machineInfo(), ...(figures as object) };
  await writeFile(file, `${JSON.stringify({ part, sizes }, null, 2)}\n`);
}
