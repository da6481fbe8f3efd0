import type { Command } from 'commander';
import { AppDb, AppDbLocked } from '../db/appdb.ts';
import { NoSnapshot, QueryEngine } from '../db/engine.ts';
import { RfmQuery, type RfmReply } from '../segments/contract.ts';
import { SegmentQueryError } from '../segments/dates.ts';
import { SegmentService } from '../segments/service.ts';
import { SnapshotNotFound } from '../snapshots/store.ts';
import { command, fail, pathsOf } from './options.ts';
import { textTable } from './snapshots.ts';

interface SegmentsCliOptions {
  data: string;
  asOf?: string;
  days?: string;
  snapshot?: string;
  json?: boolean;
}

const OPTION_NAMES: Record<string, string> = { asOf: 'as-of' };

function parse(opts: SegmentsCliOptions): RfmQuery {
  const parsed = RfmQuery.safeParse({ asOf: opts.asOf, days: opts.days, snapshot: opts.snapshot });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = String(issue.path[0] ?? 'options');
  fail(`--${OPTION_NAMES[name] ?? name}: ${issue.message}`, 2);
}

function printJson(reply: RfmReply): void {
  const out = {
    snapshot: reply.snapshot.id, asOf: reply.asOf, from: reply.from, days: reply.days,
    customers: reply.customers, revenue: reply.revenue,
    segments: reply.segments.map((s) => ({ segment: s.segment, label: s.label, customers: s.customers, revenue: s.revenue, cells: s.cells })),
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

function printTable(reply: RfmReply, source: string): void {
  const money = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const rows = reply.segments.map((s) => [s.label, String(s.customers), `${(s.customerShare * 100).toFixed(1)}%`, money(s.revenue), `${(s.revenueShare * 100).toFixed(1)}%`, s.cells.join(' ')]);
  process.stdout.write(`snapshot ${reply.snapshot.id}, reference date ${reply.asOf}, window ${reply.from} – ${reply.asOf} (${reply.days} days), rules: ${source}\n`);
  process.stdout.write(textTable(['segment', 'customers', 'share', 'revenue', 'share', 'cells (R F M)'], rows, [1, 2, 3, 4]));
  process.stdout.write(`total: ${reply.customers} customers, ${money(reply.revenue)} revenue\n`);
}

async function run(opts: SegmentsCliOptions): Promise<void> {
  const query = parse(opts);
  const paths = pathsOf(opts);
  const queries = await QueryEngine.create(paths.snapshots);
  let db: AppDb | undefined;
  try {
    db = await AppDb.open(paths.appDb);
  } catch (err) {
    if (!(err instanceof AppDbLocked)) throw err;
    process.stderr.write('vigil: the app-state database is in use (server running?); using the default segment rules\n');
  }
  try {
    const reply = await new SegmentService(queries, db).rfm(query);
    if (opts.json) printJson(reply);
    else printTable(reply, reply.rules.source);
  } catch (err) {
    if (err instanceof SegmentQueryError) fail(`--${OPTION_NAMES[err.param] ?? err.param}: ${err.detail}`, 2);
    if (err instanceof NoSnapshot || err instanceof SnapshotNotFound) fail(err.message);
    throw err;
  } finally {
    queries.close();
    await db?.close();
  }
}

export function segmentsCommand(): Command {
  return command('segments', 'print the RFM customer segments: customers, revenue and the score cells each covers')
    .option('--as-of <date>', "reference date, YYYY-MM-DD (default: the snapshot's as-of date)")
    .option('--days <n>', 'look-back window in days ending at the reference date (default 365)')
    .option('--snapshot <id>', 'a published snapshot (default: the newest)')
    .option('--json', 'print JSON: {"snapshot", "asOf", "from", "days", "customers", "revenue", "segments": [{"segment", "label", "customers", "revenue", "cells"}]}')
    .action(run);
}
