// KPI bench: every API call the Overview page makes, timed cold (a fresh engine right after
// publish, cache off), uncached (engine warm, cache off), warm (cache on, repeated) and against
// the floor: the same KPI SQL over the base Parquet files, run directly on DuckDB.
//   node --import tsx bench/kpis.ts [--orders N] [--runs R] [--snapshots DIR]
// Without --snapshots it generates and ingests N orders first. `npm run bench` runs it after the
// ingest bench on that bench's snapshot. Results go to bench/results/kpis.json; tests never time.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { all } from '../server/db/duck.ts';
import { QueryEngine } from '../server/db/engine.ts';
import { kpiById, KPIS } from '../server/metrics/catalog.ts';
import { BreakdownQuery, KpiQuery, SeriesQuery } from '../server/metrics/contract.ts';
import { KpiEngine } from '../server/metrics/engine.ts';
import { comparisonPeriod, resolveRange, type NamedPeriod } from '../server/metrics/periods.ts';
import { plan } from '../server/metrics/plan.ts';
import { measureStatement, type Frame } from '../server/metrics/query.ts';
import { generateSample } from '../server/sample/generate.ts';
import { ingest } from '../server/snapshots/ingest.ts';
import { listSnapshots } from '../server/snapshots/store.ts';

const TILES = ['gmv', 'net_revenue', 'orders', 'aov', 'buyers', 'conversion_rate', 'repeat_purchase_rate', 'gross_margin',
  'complaint_rate', 'refund_rate', 'late_shipment_rate', 'first_response_p50', 'first_response_p90', 'response_sla_breach_rate'];
const FUNNEL = ['visitors', 'product_views', 'add_to_cart', 'buyers'];

/** One call of the Overview: how the engine is asked, and the frame of its SQL for the floor. */
interface Call {
  name: string;
  /** in the brief's list of Overview calls (the rest are calls the page makes besides) */
  listed: boolean;
  ask: (engine: KpiEngine) => Promise<unknown>;
  kpis: string[];
  frame: (asOf: string) => Omit<Frame, 'periods'> & { compare: boolean };
}

const calls: Call[] = [
  {
    name: 'tiles: all KPIs, previous + yoy', listed: true, kpis: KPIS.map((k) => k.id),
    ask: (e) => e.kpis(KpiQuery.parse({ compare: ['previous', 'yoy'] })), frame: () => ({ filters: {}, compare: true }),
  },
  {
    name: 'GMV by day, by platform', listed: true, kpis: ['gmv'],
    ask: (e) => e.series(SeriesQuery.parse({ kpis: ['gmv'], grain: 'day', by: 'platform' })), frame: () => ({ filters: {}, grain: 'day', by: 'platform', compare: false }),
  },
  {
    name: 'funnel', listed: true, kpis: FUNNEL,
    ask: (e) => e.kpis(KpiQuery.parse({ kpis: FUNNEL })), frame: () => ({ filters: {}, compare: false }),
  },
  {
    name: 'by category (top 10)', listed: true, kpis: ['gmv', 'orders'],
    ask: (e) => e.breakdown(BreakdownQuery.parse({ kpis: ['gmv', 'orders'], by: 'category', limit: 10 })), frame: () => ({ filters: {}, by: 'category', compare: false }),
  },
  {
    name: 'by product (top 10)', listed: true, kpis: ['gmv', 'units'],
    ask: (e) => e.breakdown(BreakdownQuery.parse({ kpis: ['gmv', 'units'], by: 'product', limit: 10 })), frame: () => ({ filters: {}, by: 'product', compare: false }),
  },
  {
    name: 'by region', listed: true, kpis: ['gmv', 'orders'],
    ask: (e) => e.breakdown(BreakdownQuery.parse({ kpis: ['gmv', 'orders'], by: 'region', limit: 100 })), frame: () => ({ filters: {}, by: 'region', compare: false }),
  },
  {
    name: 'by platform', listed: false, kpis: ['gmv', 'orders', 'aov'],
    ask: (e) => e.breakdown(BreakdownQuery.parse({ kpis: ['gmv', 'orders', 'aov'], by: 'platform' })), frame: () => ({ filters: {}, by: 'platform', compare: false }),
  },
  {
    name: 'sparklines: 14 tiles by day', listed: false, kpis: TILES,
    ask: (e) => e.series(SeriesQuery.parse({ kpis: TILES, grain: 'day' })), frame: () => ({ filters: {}, grain: 'day', compare: false }),
  },
  {
    name: 'catalog (filter bar)', listed: false, kpis: [],
    ask: (e) => e.catalog(), frame: () => ({ filters: {}, compare: false }),
  },
];

interface Stats {
  p50: number;
  p95: number;
}

function stats(ms: number[]): Stats {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { p50: at(0.5), p95: at(0.95) };
}

async function time(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

async function repeat(runs: number, work: () => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push(await time(work));
  return ms;
}

/** A fresh query engine and KPI engine, as right after a publish: nothing opened, nothing cached. */
async function fresh<T>(snapshots: string, work: (engine: KpiEngine) => Promise<T>): Promise<T> {
  const queries = await QueryEngine.create(snapshots);
  try {
    return await work(await KpiEngine.create(queries, { cache: false }));
  } finally {
    queries.close();
  }
}

/** The base-table SQL the engine would run for a call, run straight on DuckDB, statements in parallel as the engine does. */
async function floor(queries: QueryEngine, call: Call, asOf: string, tables: ReadonlySet<string>): Promise<() => Promise<unknown>> {
  const { compare, ...rest } = call.frame(asOf);
  const current = resolveRange(asOf);
  const periods: NamedPeriod[] = [{ name: 'current', ...current }, ...(compare ? (['previous', 'yoy'] as const).map((c) => ({ name: c, ...comparisonPeriod(current, c) })) : [])];
  const frame: Frame = { ...rest, periods };
  const { tasks } = plan(call.kpis.map((id) => kpiById(id)!), frame, { tables, rollups: [] });
  const statements = tasks.map((t) => measureStatement(t.relation, t.source, frame, t.measures));
  return () => Promise.all(statements.map((s) => queries.withSnapshot(undefined, (conn) => all(conn, s.sql, s.params))));
}

export interface KpiBenchResult {
  call: string;
  listed: boolean;
  cold: Stats;
  uncached: Stats;
  warm: Stats;
  baseOnly: Stats;
  floor: Stats | null;
}

export async function benchKpis(snapshots: string, runs: number): Promise<{ results: KpiBenchResult[]; overview: Record<string, Stats> }> {
  const results: KpiBenchResult[] = [];
  const queries = await QueryEngine.create(snapshots);
  try {
    const snap = await queries.snapshot();
    const warmEngine = await KpiEngine.create(queries);
    const uncachedEngine = await KpiEngine.create(queries, { cache: false });
    const baseEngine = await KpiEngine.create(queries, { rollups: false, cache: false });
    for (const call of calls) {
      const cold: number[] = [];
      for (let i = 0; i < runs; i++) cold.push(await fresh(snapshots, (engine) => time(() => call.ask(engine))));
      await call.ask(uncachedEngine);
      const uncached = await repeat(runs, () => call.ask(uncachedEngine));
      await call.ask(warmEngine);
      const warm = await repeat(runs, () => call.ask(warmEngine));
      await call.ask(baseEngine);
      const baseOnly = await repeat(runs, () => call.ask(baseEngine));
      let floorStats: Stats | null = null;
      if (call.kpis.length) {
        const direct = await floor(queries, call, snap.manifest.asOf, snap.tables);
        await direct();
        floorStats = stats(await repeat(runs, direct));
      }
      results.push({ call: call.name, listed: call.listed, cold: stats(cold), uncached: stats(uncached), warm: stats(warm), baseOnly: stats(baseOnly), floor: floorStats });
    }
    // the page fires its calls together: wall time of all of them at once
    const together = (list: Call[], engine: KpiEngine) => Promise.all(list.map((c) => c.ask(engine)));
    const overview: Record<string, Stats> = {};
    for (const [label, list] of [['listed calls', calls.filter((c) => c.listed)], ['all page calls', calls]] as const) {
      const cold: number[] = [];
      for (let i = 0; i < runs; i++) cold.push(await fresh(snapshots, (engine) => time(() => together(list, engine))));
      overview[`${label}, cold`] = stats(cold);
      overview[`${label}, warm`] = stats(await repeat(runs, () => together(list, warmEngine)));
    }
    return { results, overview };
  } finally {
    queries.close();
  }
}

const ms = (s: Stats | null) => (s ? `${s.p50.toFixed(1)} / ${s.p95.toFixed(1)}` : '–');

export function printKpiBench(orders: number, runs: number, bench: Awaited<ReturnType<typeof benchKpis>>): void {
  console.log(`KPI bench: ${orders.toLocaleString('en')} orders, ${runs} runs per figure, p50 / p95 in ms`);
  console.table(bench.results.map((r) => ({
    call: `${r.call}${r.listed ? '' : ' *'}`, cold: ms(r.cold), uncached: ms(r.uncached), warm: ms(r.warm), 'rollups off': ms(r.baseOnly), 'floor (DuckDB, base)': ms(r.floor),
  })));
  console.log('* also made by the Overview page, beyond the calls the issue lists');
  console.table(Object.entries(bench.overview).map(([what, s]) => ({ 'Overview, calls together': what, 'p50 / p95 ms': ms(s) })));
}

export async function writeKpiBench(orders: number, runs: number, bench: Awaited<ReturnType<typeof benchKpis>>): Promise<void> {
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/kpis.json', `${JSON.stringify({
    takenAt: new Date().toISOString(), orders, runs, cores: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version,
    note: 'ms; cold = fresh engine after publish, cache off; uncached = warm engine, cache off; warm = cache on; rollups off = base tables through the engine; floor = the base SQL straight on DuckDB',
    ...bench,
  }, null, 2)}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { orders: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '20' }, snapshots: { type: 'string' }, end: { type: 'string', default: '2026-11-25' } } });
  const runs = Number(values.runs);
  const work = values.snapshots ? undefined : await mkdtemp(join(tmpdir(), 'vigil-bench-kpis-'));
  try {
    let snapshots = values.snapshots && resolve(values.snapshots);
    let orders = Number(values.orders);
    if (snapshots) {
      orders = (await listSnapshots(snapshots))[0]?.tables.orders?.rows ?? 0;
    } else {
      await generateSample({ out: join(work!, 'exports'), orders, end: values.end });
      snapshots = join(work!, 'snapshots');
      await ingest({ input: join(work!, 'exports'), snapshotsRoot: snapshots });
    }
    const bench = await benchKpis(snapshots, runs);
    printKpiBench(orders, runs, bench);
    await writeKpiBench(orders, runs, bench);
  } finally {
    if (work) await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
