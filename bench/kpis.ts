// KPI engine bench: every KPI call the Overview page makes (bench/overview.ts), timed in the
// engine itself: cold (a fresh engine right after publish, cache off), uncached (engine warm,
// cache off), warm (cache on, repeated), rollups off, and the floor: the same base SQL run
// straight on DuckDB over the snapshot's Parquet files. bench/pages.ts times the same calls
// through the HTTP routes; bench/peer.ts runs the floor's SQL on PostgreSQL.
//   node --import tsx bench/kpis.ts --snapshots DIR [--runs R]
// `npm run bench` runs it on the snapshot it has just ingested; tests never time anything.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { all } from '../server/db/duck.ts';
import { QueryEngine } from '../server/db/engine.ts';
import { KpiEngine } from '../server/metrics/engine.ts';
import { listSnapshots } from '../server/snapshots/store.ts';
import { fmt, repeat, saveResult, stats, time, type Stats } from './common.ts';
import { askEngine, baseStatements, OVERVIEW_KPI_CALLS, type KpiCall } from './overview.ts';

/** A fresh query engine and KPI engine, as right after a publish: nothing opened, nothing cached. */
async function fresh<T>(snapshots: string, work: (engine: KpiEngine) => Promise<T>): Promise<T> {
  const queries = await QueryEngine.create(snapshots);
  try {
    return await work(await KpiEngine.create(queries, { cache: false }));
  } finally {
    queries.close();
  }
}

/** The call's base-table SQL run straight on DuckDB, its statements in parallel as the engine runs them. */
function floor(queries: QueryEngine, call: KpiCall, asOf: string, tables: ReadonlySet<string>): () => Promise<unknown> {
  const statements = baseStatements(call, asOf, tables);
  return () => Promise.all(statements.map((s) => queries.withSnapshot(undefined, (conn) => all(conn, s.sql, s.params))));
}

export interface KpiBenchResult {
  call: string;
  cold: Stats;
  uncached: Stats;
  warm: Stats;
  baseOnly: Stats;
  floor: Stats;
}

export interface KpiBench {
  runs: number;
  coldRuns: number;
  results: KpiBenchResult[];
  /** the page fires its calls together: wall time of all of them at once */
  together: { cold: Stats; uncached: Stats; warm: Stats };
}

export async function benchKpis(snapshots: string, runs: number, coldRuns: number): Promise<KpiBench> {
  const results: KpiBenchResult[] = [];
  const queries = await QueryEngine.create(snapshots);
  try {
    const snap = await queries.snapshot();
    const asOf = snap.manifest.asOf;
    const warmEngine = await KpiEngine.create(queries);
    const uncachedEngine = await KpiEngine.create(queries, { cache: false });
    const baseEngine = await KpiEngine.create(queries, { rollups: false, cache: false });
    const timed = async (work: () => Promise<unknown>) => {
      await work();
      return stats(await repeat(runs, work));
    };
    for (const call of OVERVIEW_KPI_CALLS) {
      const cold: number[] = [];
      for (let i = 0; i < coldRuns; i++) cold.push(await fresh(snapshots, (engine) => time(() => askEngine(engine, call, asOf))));
      results.push({
        call: call.name,
        cold: stats(cold),
        uncached: await timed(() => askEngine(uncachedEngine, call, asOf)),
        warm: await timed(() => askEngine(warmEngine, call, asOf)),
        baseOnly: await timed(() => askEngine(baseEngine, call, asOf)),
        floor: await timed(floor(queries, call, asOf, snap.tables)),
      });
    }
    const together = (engine: KpiEngine) => Promise.all(OVERVIEW_KPI_CALLS.map((c) => askEngine(engine, c, asOf)));
    const cold: number[] = [];
    for (let i = 0; i < coldRuns; i++) cold.push(await fresh(snapshots, (engine) => time(() => together(engine))));
    return {
      runs, coldRuns, results,
      together: { cold: stats(cold), uncached: await timed(() => together(uncachedEngine)), warm: await timed(() => together(warmEngine)) },
    };
  } finally {
    queries.close();
  }
}

export function printKpiBench(orders: number, bench: KpiBench): void {
  console.log(`\nKPI engine, Overview calls: ${orders.toLocaleString('en')} orders, ms p50 / p95 / p99 (${bench.runs} runs, cold ${bench.coldRuns})`);
  console.table([
    ...bench.results.map((r) => ({ call: r.call, cold: fmt(r.cold), uncached: fmt(r.uncached), warm: fmt(r.warm), 'rollups off': fmt(r.baseOnly), 'floor (DuckDB, base)': fmt(r.floor) })),
    { call: 'all together', cold: fmt(bench.together.cold), uncached: fmt(bench.together.uncached), warm: fmt(bench.together.warm), 'rollups off': '', 'floor (DuckDB, base)': '' },
  ]);
}

export async function saveKpiBench(orders: number, bench: KpiBench): Promise<void> {
  await saveResult('kpis', orders, {
    note: 'ms; cold = fresh engine after publish, cache off; uncached = warm engine, cache off; warm = cache on; rollups off = base tables through the engine; floor = the base SQL straight on DuckDB over the Parquet files',
    ...bench,
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' }, snapshots: { type: 'string' } } });
  if (!values.snapshots) throw new Error('bench/kpis.ts needs --snapshots DIR (a folder of published snapshots)');
  const snapshots = resolve(values.snapshots);
  const orders = (await listSnapshots(snapshots))[0]?.tables.orders?.rows ?? 0;
  const runs = Number(values.runs);
  const bench = await benchKpis(snapshots, runs, Math.min(runs, 10));
  printKpiBench(orders, bench);
  await saveKpiBench(orders, bench);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
