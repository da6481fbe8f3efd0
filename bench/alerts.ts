// Alert evaluation bench: every built-in indicator (server/risk/library.ts, seeded into the app
// database as on a first start) evaluated over the newly published snapshot, the way a publish or
// `vigil evaluate` runs it (Evaluator.run). The first evaluation replays the warm-up days before
// the as-of date since no indicator has a state yet; the re-evaluation, in a fresh app (new
// engines, empty caches) on the same data folder, steps only the as-of date from the stored states.
import { builtinIndicators } from '../server/risk/library.ts';
import type { EvaluationRunReply } from '../server/risk/contract.ts';
import { makeTestApp } from '../test/helpers/app.ts';
import { saveResult, verdict } from './common.ts';

/** Target (issue 8): all built-in indicators over a new 10M-order snapshot in ≤ 5 s. */
export const ALERT_TARGET_SECONDS = 5;

export interface EvaluationFigures {
  seconds: number;
  evaluated: number;
  transitions: number;
  errors: EvaluationRunReply['errors'];
}

export interface AlertsBench {
  builtin: number;
  first: EvaluationFigures;
  again: EvaluationFigures;
}

async function evaluateOnce(dataDir: string): Promise<EvaluationFigures> {
  const app = await makeTestApp(dataDir);
  try {
    const start = performance.now();
    const reply = await app.ctx.evaluator.run({ trigger: 'manual' });
    const seconds = (performance.now() - start) / 1000;
    return { seconds, evaluated: reply.evaluated, transitions: reply.transitions.length, errors: reply.errors };
  } finally {
    await app.close();
  }
}

export async function benchAlerts(dataDir: string): Promise<AlertsBench> {
  const first = await evaluateOnce(dataDir);
  const again = await evaluateOnce(dataDir);
  return { builtin: builtinIndicators('bench').length, first, again };
}

export function printAlertsBench(orders: number, bench: AlertsBench): void {
  console.log(`\nAlert evaluation: ${bench.builtin} built-in indicators, ${orders.toLocaleString('en')} orders`);
  const runs: [string, EvaluationFigures][] = [['first (with warm-up)', bench.first], ['re-evaluation', bench.again]];
  console.table(runs.map(([run, f]) => ({
    run, seconds: f.seconds.toFixed(2), evaluated: f.evaluated, transitions: f.transitions, errors: f.errors.length, [`target ≤ ${ALERT_TARGET_SECONDS} s`]: verdict(f.seconds <= ALERT_TARGET_SECONDS),
  })));
  for (const e of [...bench.first.errors, ...bench.again.errors]) console.log(`  error: ${e.indicatorId}: ${e.message}`);
}

export async function saveAlertsBench(orders: number, bench: AlertsBench): Promise<void> {
  await saveResult('alerts', orders, {
    note: 'seconds; Evaluator.run over the new snapshot in a fresh app each time: first = no stored state, warm-up replay; again = stored states, the as-of day only',
    target: { what: `all built-in indicators <= ${ALERT_TARGET_SECONDS} s`, first: bench.first.seconds <= ALERT_TARGET_SECONDS, again: bench.again.seconds <= ALERT_TARGET_SECONDS },
    ...bench,
  });
}
