// `vigil evaluate`: one evaluation run of every enabled indicator (what the scheduler and a
// publish do), or with --backtest the day-by-day replay of a date range that prints every
// transition. Both read the indicators from the app-state database, which a running server holds.
import type { Command } from 'commander';
import type { AppDb } from '../db/appdb.ts';
import { NoSnapshot } from '../db/engine.ts';
import { openContext, type AppContext } from '../http/context.ts';
import { version } from '../http/server.ts';
import { listUsers } from '../auth/users.ts';
import { KpiQueryError } from '../metrics/errors.ts';
import { backtest, formatBacktest } from '../risk/backtest.ts';
import type { EvaluationRunReply } from '../risk/contract.ts';
import { listIndicators } from '../risk/indicatorStore.ts';
import { builtinIndicators } from '../risk/library.ts';
import { libraryOwner, seedRiskLibrary } from '../risk/seed.ts';
import { SnapshotNotFound } from '../snapshots/store.ts';
import { command, fail, failWhenLocked, parseDateOption, pathsOf } from './options.ts';
import { textTable } from './snapshots.ts';

interface EvaluateCliOptions {
  data: string;
  asOf?: string;
  snapshot?: string;
  json?: boolean;
  backtest?: boolean;
  from?: string;
  to?: string;
  indicator?: string[];
}

/** Owner of the in-memory library a backtest replays when nothing is stored; it is never saved. */
const BACKTEST_OWNER = 'risk';

/**
 * A fresh app DB has no indicators until the server's first start seeds them; the CLI seeds them
 * the same way, owned by the first admin. Without any user there is nobody to own them: false.
 */
async function ensureSeeded(db: AppDb): Promise<boolean> {
  if ((await listIndicators(db)).length) return true;
  if (!(await listUsers(db)).length) return false;
  await seedRiskLibrary(db, await libraryOwner(db, false));
  return true;
}

function printRun(reply: EvaluationRunReply): void {
  const counts = Object.entries(reply.states).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`).join(', ');
  process.stdout.write(`snapshot ${reply.snapshotId ?? '–'}, as of ${reply.asOf ?? '–'}: ${reply.evaluated} indicators evaluated (${counts || 'no scopes'})\n`);
  if (reply.transitions.length) {
    const rows = reply.transitions.map((t) => [t.indicatorId, t.scopeLabel || t.scope, `${t.from} → ${t.to}`, t.kind, t.measurement.value === null ? '–' : String(Number(t.measurement.value.toPrecision(4)))]);
    process.stdout.write(textTable(['indicator', 'scope', 'transition', 'kind', 'value'], rows, [4]));
  } else {
    process.stdout.write('no transitions\n');
  }
  for (const e of reply.errors) process.stderr.write(`vigil: ${e.indicatorId}: ${e.message}\n`);
}

async function runLive(ctx: AppContext, opts: EvaluateCliOptions): Promise<void> {
  if (!(await ensureSeeded(ctx.db))) fail('no user owns the risk indicators yet: create the first admin (`npx vigil start`) first');
  const reply = await ctx.evaluator.run({ trigger: 'manual', snapshotId: opts.snapshot, asOf: opts.asOf });
  // messages go through the outbox like the server's; drained here so a cron-driven CLI delivers them
  await ctx.outbox.drain();
  if (opts.json) process.stdout.write(`${JSON.stringify(reply, null, 2)}\n`);
  else printRun(reply);
}

async function runBacktest(ctx: AppContext, opts: EvaluateCliOptions): Promise<void> {
  if (!opts.from || !opts.to) fail('--backtest needs --from and --to', 2);
  if (opts.from > opts.to) fail(`--from ${opts.from} is after --to ${opts.to}`, 2);
  // the backtest stores nothing, so a data folder without users replays the built-in library as is
  const seeded = await ensureSeeded(ctx.db);
  if (!seeded) process.stderr.write('vigil: no indicators stored yet (no user to own them); replaying the built-in library\n');
  const stored = seeded ? await listIndicators(ctx.db) : builtinIndicators(BACKTEST_OWNER);
  const indicators = opts.indicator ? stored.filter((i) => opts.indicator!.includes(i.id)) : stored;
  const unknown = (opts.indicator ?? []).filter((id) => !indicators.some((i) => i.id === id));
  if (unknown.length) fail(`--indicator: no indicator ${unknown.join(', ')}`, 2);
  const rows = await backtest({ ...ctx, snapshotsRoot: ctx.paths.snapshots }, indicators.filter((i) => i.enabled), { snapshotId: opts.snapshot, from: opts.from, to: opts.to });
  if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else process.stdout.write(formatBacktest(rows));
}

async function run(opts: EvaluateCliOptions): Promise<void> {
  // the same context the server opens: engines, sandbox, outbox and evaluator over the data folder
  const opened = await failWhenLocked(() => openContext(pathsOf(opts), version));
  try {
    await (opts.backtest ? runBacktest(opened.ctx, opts) : runLive(opened.ctx, opts));
  } catch (err) {
    if (err instanceof NoSnapshot || err instanceof SnapshotNotFound) fail(err.message);
    if (err instanceof KpiQueryError) fail(err.message, 2);
    throw err;
  } finally {
    await opened.close();
  }
}

export function evaluateCommand(): Command {
  return command('evaluate', 'evaluate the risk indicators now (alerts and emails as a scheduled run), or replay a date range with --backtest')
    .option('--as-of <date>', "the step evaluated, YYYY-MM-DD (default: the snapshot's as-of date)", parseDateOption)
    .option('--snapshot <id>', 'a published snapshot (default: the newest)')
    .option('--backtest', 'replay the indicators day by day over --from … --to and print every transition; stores nothing, sends nothing')
    .option('--from <date>', 'first day replayed, YYYY-MM-DD (with --backtest)', parseDateOption)
    .option('--to <date>', 'last day replayed, YYYY-MM-DD (with --backtest)', parseDateOption)
    .option('--indicator <id...>', 'only these indicators (with --backtest)')
    .option('--json', 'print JSON: the run (snapshotId, asOf, evaluated, states, transitions, errors) or the backtest rows')
    .action(run);
}
