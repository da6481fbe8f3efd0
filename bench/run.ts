// npm run bench [-- --orders 1000000,10000000] [--runs R] [--peer postgres|none] [--end YYYY-MM-DD]
// For each order count: generates the sample (all tables, fixed seed) and ingests it, each in a
// child process of its own (bench/steps.ts), evaluates every built-in indicator over the new
// snapshot (bench/alerts.ts), times every API call of the Overview, Customers, Staff and Risk
// pages over HTTP (bench/pages.ts), the Overview's KPI calls in the engine and on the floor
// (bench/kpis.ts), and the same SQL on PostgreSQL (bench/peer.ts). Figures are printed with the
// issue's targets and written to bench/results/<part>.json; tests never assert on time.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchAlerts, printAlertsBench, saveAlertsBench } from './alerts.ts';
import { listSnapshots } from '../server/snapshots/store.ts';
import { machineInfo, saveResult, SEED } from './common.ts';
import { benchKpis, printKpiBench, saveKpiBench } from './kpis.ts';
import { OVERVIEW_KPI_CALLS } from './overview.ts';
import { benchPages, OVERVIEW_KPIS, printPagesBench, savePagesBench } from './pages.ts';
import { benchPeer, comparePeer, printPeerBench, savePeerBench } from './peer.ts';
import { runStep, type StepFigures } from './steps.ts';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '1000000,10000000' },
    runs: { type: 'string', default: '20' },
    'cold-runs': { type: 'string', default: '10' },
    'peer-runs': { type: 'string', default: '10' },
    peer: { type: 'string', default: 'postgres' },
    end: { type: 'string', default: '2026-11-25' },
  },
});
const sizes = values.orders.split(',').map((s) => Number(s.trim()));
const runs = Number(values.runs);
const coldRuns = Math.min(runs, Number(values['cold-runs']));
const peerRuns = Math.min(runs, Number(values['peer-runs']));
if (sizes.some((n) => !Number.isInteger(n) || n <= 0) || !(runs > 0) || !(coldRuns > 0) || !(peerRuns > 0)) {
  throw new Error(`--orders must be positive whole numbers separated by commas and the run counts positive, got --orders ${values.orders} --runs ${values.runs}`);
}
if (values.peer !== 'postgres' && values.peer !== 'none') throw new Error(`--peer must be postgres or none, got ${values.peer}`);

function printSteps(orders: number, steps: StepFigures[]): void {
  console.log(`\nGenerate and ingest: ${orders.toLocaleString('en')} orders, seed ${SEED}, each step in a child process of its own`);
  console.table(steps.map((s) => ({ step: s.step, seconds: s.seconds.toFixed(1), rows: s.rows.toLocaleString('en'), 'rows/s': Math.round(s.rows / s.seconds).toLocaleString('en'), 'peak RSS MB': s.peakRssMb })));
  const [generate, ingest] = steps;
  console.table(generate.tables.map((g) => {
    const i = ingest.tables.find((t) => t.table === g.table);
    return {
      table: g.table, rows: g.rows.toLocaleString('en'),
      'generate s': g.seconds.toFixed(2), 'generate rows/s': Math.round(g.rows / g.seconds).toLocaleString('en'),
      'ingest s': i ? i.seconds.toFixed(2) : '–', 'ingest rows/s': i ? Math.round(i.rows / i.seconds).toLocaleString('en') : '–',
    };
  }));
  console.log(`ingest after the tables (quality report, KPI rollups, publish): ${ingest.afterTables?.toFixed(1)} s`);
}

async function benchSize(orders: number): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'vigil-bench-'));
  try {
    const dataDir = join(work, 'data');
    const snapshots = join(dataDir, 'snapshots');
    const exportsDir = join(work, 'exports');
    const generate = await runStep(['generate', exportsDir, String(orders), values.end]);
    const ingest = await runStep(['ingest', exportsDir, snapshots]);
    await rm(exportsDir, { recursive: true, force: true });
    printSteps(orders, [generate, ingest]);
    await saveResult('ingest', orders, { note: 'seconds; per-table times from the steps\' progress events (ingest: read + check + write of the table)', generate, ingest });

    const alerts = await benchAlerts(dataDir);
    printAlertsBench(orders, alerts);
    await saveAlertsBench(orders, alerts);

    const snapshot = (await listSnapshots(snapshots))[0];
    const pages = await benchPages(dataDir, snapshot.asOf, runs, coldRuns);
    printPagesBench(orders, pages);
    await savePagesBench(orders, pages);

    const kpis = await benchKpis(snapshots, runs, coldRuns);
    printKpiBench(orders, kpis);
    await saveKpiBench(orders, kpis);

    if (values.peer === 'postgres') {
      const peer = await benchPeer(snapshots, peerRuns);
      if (peer) {
        const served = pages.calls.filter((c) => c.page === 'Overview' && OVERVIEW_KPI_CALLS.some((k) => k.name === c.call));
        const compared = comparePeer(peer, {
          uncached: Object.fromEntries(kpis.results.map((r) => [r.call, r.uncached])),
          served: Object.fromEntries(served.map((c) => [c.call, c.warm])),
          uncachedTogether: kpis.together.uncached,
          servedTogether: pages.pages.find((p) => p.page === OVERVIEW_KPIS)!.warm,
        });
        printPeerBench(orders, peer, compared);
        await savePeerBench(orders, peer, compared);
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const machine = await machineInfo();
console.log(`Vigil bench on ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, DuckDB ${machine.duckdb}, ${machine.postgres ?? 'no PostgreSQL'}; load average ${machine.loadAverage.toFixed(1)}`);
for (const orders of sizes) await benchSize(orders);
