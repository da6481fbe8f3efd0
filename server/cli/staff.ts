import { Option, type Command } from 'commander';
import { NoSnapshot, QueryEngine } from '../db/engine.ts';
import { SnapshotNotFound } from '../snapshots/store.ts';
import { STAFF_ROLES, StaffPerformanceQuery, type StaffPerformanceReply } from '../staff/contract.ts';
import { StaffEngine } from '../staff/engine.ts';
import { command, fail, pathsOf } from './options.ts';
import { textTable } from './snapshots.ts';

interface StaffCliOptions {
  data: string;
  period?: string;
  role?: string;
  snapshot?: string;
  json?: boolean;
}

const money = (x: number) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const fixed = (x: number | null, digits: number) => (x === null ? '-' : x.toFixed(digits));
const percent = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

function movement(r: { rank: number | null; movement: number | null; new_entry: boolean }): string {
  if (r.rank === null) return '';
  if (r.new_entry) return 'new';
  return r.movement === 0 ? '=' : r.movement! > 0 ? `↑${r.movement}` : `↓${-r.movement!}`;
}

/** The JSON the command prints: one flat object per person, figures beside the ranking. */
export function staffJson(reply: StaffPerformanceReply) {
  return {
    snapshot: reply.snapshot.id,
    period: reply.period.key,
    from: reply.period.from,
    to: reply.period.to,
    ...(reply.sales ? { sales: reply.sales.map((r) => ({ staff_id: r.staff.staff_id, name: r.staff.name, team: r.staff.team, ...r.figures, ...r.ranking })) } : {}),
    ...(reply.service ? { service: reply.service.map((r) => ({ staff_id: r.staff.staff_id, name: r.staff.name, team: r.staff.team, ...r.figures })) } : {}),
    notes: reply.notes,
  };
}

// Names come last: Chinese names are twice as wide as their length and would shift later columns.
function salesTable(reply: StaffPerformanceReply): string {
  const header = ['rank', 'move', 'revenue', 'gross profit', 'orders', 'new cust.', 'rating', 'ratings', 'complaints', 'staff'];
  const rows = (reply.sales ?? []).map((r) => [
    r.ranking.rank === null ? '-' : String(r.ranking.rank), movement(r.ranking), money(r.figures.revenue), money(r.figures.gross_profit),
    String(r.figures.orders), String(r.figures.new_customers), fixed(r.figures.avg_rating, 2), String(r.figures.ratings),
    String(r.figures.complaints), `${r.staff.staff_id} ${r.staff.name}`,
  ]);
  return textTable(header, rows, [0, 2, 3, 4, 5, 6, 7, 8]);
}

function serviceTable(reply: StaffPerformanceReply): string {
  const header = ['inquiries', 'answered', 'p50 s', 'p90 s', 'SLA breach', 'complaints', 'satisfaction', 'staff'];
  const rows = (reply.service ?? []).map((r) => [
    String(r.figures.inquiries), String(r.figures.responded), fixed(r.figures.first_response_p50, 1), fixed(r.figures.first_response_p90, 1),
    percent(r.figures.sla_breach_rate), String(r.figures.complaints_resolved), fixed(r.figures.avg_satisfaction, 2),
    `${r.staff.staff_id} ${r.staff.name}`,
  ]);
  return textTable(header, rows, [0, 1, 2, 3, 4, 5, 6]);
}

async function run(opts: StaffCliOptions): Promise<void> {
  const parsed = StaffPerformanceQuery.safeParse({ period: opts.period, role: opts.role, snapshot: opts.snapshot });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(`--${String(issue.path[0] ?? 'period')}: ${issue.message}`, 2);
  }
  const queries = await QueryEngine.create(pathsOf(opts).snapshots);
  try {
    const reply = await new StaffEngine(queries).performance(parsed.data);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(staffJson(reply), null, 2)}\n`);
      return;
    }
    const p = reply.period;
    let out = `snapshot ${reply.snapshot.id} (as of ${reply.snapshot.asOf}), ${p.key}: ${p.from} – ${p.to}; movement vs ${p.previous.key}\n`;
    if (reply.sales) out += `\nSales\n${salesTable(reply)}`;
    if (reply.service) out += `\nService\n${serviceTable(reply)}`;
    out += reply.notes.map((n) => `note: ${n}\n`).join('');
    process.stdout.write(out);
  } catch (err) {
    if (err instanceof NoSnapshot || err instanceof SnapshotNotFound) fail(err.message);
    throw err;
  } finally {
    queries.close();
  }
}

export function staffCommand(): Command {
  return command('staff', 'print staff performance for a month or a year: sales ranking and service figures')
    .requiredOption('--period <YYYY-MM|YYYY>', 'a month (YYYY-MM) or a year (YYYY)')
    .addOption(new Option('--role <role>', 'only sales or only service staff').choices(STAFF_ROLES))
    .option('--snapshot <id>', 'a published snapshot (default: the newest)')
    .option('--json', 'print JSON: {"snapshot", "period", "from", "to", "sales": [...], "service": [...], "notes"}')
    .action(run);
}
