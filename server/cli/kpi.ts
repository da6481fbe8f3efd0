import { Option, type Command } from 'commander';
import type { ZodType } from 'zod';
import { NoSnapshot, QueryEngine } from '../db/engine.ts';
import { kpiById } from '../metrics/catalog.ts';
import {
  BREAKDOWN_DIMENSIONS, BreakdownQuery, COMPARISONS, KpiQuery, type BreakdownReply, type Comparison, type KpiReply,
} from '../metrics/contract.ts';
import { KpiEngine } from '../metrics/engine.ts';
import { KpiQueryError } from '../metrics/errors.ts';
import { formatChange, formatNote, formatValue } from '../metrics/format.ts';
import { SnapshotNotFound } from '../snapshots/store.ts';
import { command, fail, pathsOf } from './options.ts';
import { textTable } from './snapshots.ts';

interface KpiCliOptions {
  data: string;
  from?: string;
  to?: string;
  platform?: string[];
  category?: string[];
  region?: string[];
  memberTier?: string[];
  kpis?: string[];
  by?: string;
  compare?: string[];
  limit?: string;
  snapshot?: string;
  json?: boolean;
}

/** The options as the API's query string, so that the CLI checks them with the same schemas. */
function queryOf(opts: KpiCliOptions): Record<string, unknown> {
  return {
    from: opts.from, to: opts.to, snapshot: opts.snapshot, kpis: opts.kpis,
    platform: opts.platform, category: opts.category, region: opts.region, member_tier: opts.memberTier,
    compare: opts.compare, by: opts.by, limit: opts.limit,
  };
}

const OPTION_NAMES: Record<string, string> = { member_tier: 'member-tier' };

function parse<T>(schema: ZodType<T>, opts: KpiCliOptions): T {
  const parsed = schema.safeParse(queryOf(opts));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = String(issue.path[0] ?? 'options');
  fail(`--${OPTION_NAMES[name] ?? name}: ${issue.message}`, 2);
}

function printJson(reply: KpiReply | BreakdownReply): void {
  const head = { snapshot: reply.snapshot.id, from: reply.from, to: reply.to };
  const body = 'rows' in reply
    ? { by: reply.by, rows: reply.rows.map((r) => ({ key: r.key, label: r.label, kpis: r.kpis })) }
    : { ...(Object.keys(reply.periods).length ? { periods: reply.periods } : {}), kpis: reply.kpis };
  process.stdout.write(`${JSON.stringify({ ...head, ...body }, null, 2)}\n`);
}

function heading(reply: KpiReply | BreakdownReply, compare: Comparison[]): string {
  const periods = 'periods' in reply ? compare.map((c) => `${c} ${reply.periods[c]!.from} – ${reply.periods[c]!.to}`) : [];
  return `snapshot ${reply.snapshot.id} (as of ${reply.snapshot.asOf}), ${reply.from} – ${reply.to}${periods.length ? `; ${periods.join('; ')}` : ''}\n`;
}

function kpiTable(reply: KpiReply, compare: Comparison[]): string {
  const header = ['kpi', 'value', ...compare.flatMap((c) => [c, `Δ ${c}`]), 'n / d or note'];
  const rows = Object.entries(reply.kpis).map(([id, v]) => {
    const unit = kpiById(id)!.unit;
    return [kpiById(id)!.label.en, formatValue(unit, v.value), ...compare.flatMap((c) => [formatValue(unit, v[c]?.value ?? null), formatChange(unit, v.value, v[c])]), formatNote(v)];
  });
  return textTable(header, rows, header.map((_, k) => k).filter((k) => k > 0 && k < header.length - 1));
}

/**
 * One row per key, one column per KPI; a comparison shows as the change in brackets. The key
 * comes last: Chinese names are twice as wide as their length and would shift later columns.
 * A KPI with no value in any row gets its reason below the table.
 */
function breakdownTable(reply: BreakdownReply, compare: Comparison[]): string {
  const ids = Object.keys(reply.rows[0]?.kpis ?? {});
  const header = [...ids, reply.by];
  const rows = reply.rows.map((r) => [...ids.map((id) => {
    const unit = kpiById(id)!.unit;
    const v = r.kpis[id];
    return [formatValue(unit, v.value), ...compare.map((c) => `(${formatChange(unit, v.value, v[c])})`)].join(' ');
  }), r.label === r.key ? r.key : `${r.key} ${r.label}`]);
  const notes = ids
    .filter((id) => reply.rows.every((r) => r.kpis[id].value === null))
    .map((id) => `${id}: ${reply.rows[0].kpis[id].reason ?? 'no value'}\n`);
  return textTable(header, rows, ids.map((_, k) => k)) + notes.join('');
}

async function run(opts: KpiCliOptions): Promise<void> {
  const queries = await QueryEngine.create(pathsOf(opts).snapshots);
  try {
    const engine = await KpiEngine.create(queries, { cache: false });
    const compare = COMPARISONS.filter((c) => opts.compare?.includes(c));
    const reply = opts.by ? await engine.breakdown(parse(BreakdownQuery, opts)) : await engine.kpis(parse(KpiQuery, opts));
    if (opts.json) return printJson(reply);
    process.stdout.write(heading(reply, compare) + ('rows' in reply ? breakdownTable(reply, compare) : kpiTable(reply, compare)));
  } catch (err) {
    if (err instanceof KpiQueryError) fail(`--${OPTION_NAMES[err.param] ?? err.param}: ${err.detail}`, 2);
    if (err instanceof NoSnapshot || err instanceof SnapshotNotFound) fail(err.message);
    throw err;
  } finally {
    queries.close();
  }
}

export function kpiCommand(): Command {
  return command('kpi', 'print KPIs for a date range, optionally filtered, compared or broken down by a dimension')
    .option('--from <date>', 'first day, YYYY-MM-DD (default: 30 days ending at --to)')
    .option('--to <date>', "last day, YYYY-MM-DD (default: the snapshot's as-of date)")
    .option('--platform <id...>', 'only these platforms')
    .option('--category <c...>', 'only these product categories')
    .option('--region <r...>', 'only these regions')
    .option('--member-tier <t...>', 'only customers of these member tiers')
    .option('--kpis <id...>', 'only these KPIs (default: all)')
    .addOption(new Option('--by <dim>', 'one row per value of this dimension').choices(BREAKDOWN_DIMENSIONS))
    .addOption(new Option('--compare <which...>', 'also the previous period and/or the same period last year').choices(COMPARISONS))
    .option('--limit <n>', 'with --by: at most this many rows, by the first KPI descending (default 50)')
    .option('--snapshot <id>', 'a published snapshot (default: the newest)')
    .option('--json', 'print JSON: {"snapshot", "from", "to", "kpis"} or, with --by, {"snapshot", "from", "to", "by", "rows"}')
    .action(run);
}
