// `vigil query "SQL"`: the workbench from a terminal, in the same sandbox (one read-only
// statement, the snapshot's tables only, time and row limits) and with the same masking: the
// user named by --as (default the first admin) decides whether personal columns are masked.
import { Option, type Command } from 'commander';
import { findUser, listUsers, type User } from '../auth/users.ts';
import type { AppDb } from '../db/appdb.ts';
import { NoSnapshot, QueryEngine } from '../db/engine.ts';
import { DEFAULT_ROW_LIMIT, PARAM_TYPES, RunBody, type ParamType, type QueryParam, type RunReply } from '../queries/contract.ts';
import { QueryRunner, SandboxError } from '../queries/runner.ts';
import { csvField } from '../segments/csv.ts';
import { SnapshotNotFound } from '../snapshots/store.ts';
import { command, fail, openAppDbOrFail, parseIntOption, pathsOf } from './options.ts';
import { textTable } from './snapshots.ts';

const FORMATS = ['table', 'csv', 'json'] as const;

interface QueryCliOptions {
  data: string;
  param: string[];
  declare: string[];
  format: (typeof FORMATS)[number];
  as?: string;
  snapshot?: string;
  limit?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `--declare name:type` and `--param name=value` as the API's params and values; an undeclared value is text. */
function paramsOf(opts: QueryCliOptions): Pick<RunBody, 'params' | 'values'> {
  const types = new Map<string, ParamType>();
  for (const d of opts.declare) {
    const [name, type] = d.split(':');
    if (!name || !(PARAM_TYPES as readonly string[]).includes(type)) fail(`--declare ${d}: expected name:type with type one of ${PARAM_TYPES.join(', ')}`, 2);
    types.set(name, type as ParamType);
  }
  const values: Record<string, string> = {};
  for (const p of opts.param) {
    const eq = p.indexOf('=');
    if (eq < 1) fail(`--param ${p}: expected name=value`, 2);
    values[p.slice(0, eq)] = p.slice(eq + 1);
    if (!types.has(p.slice(0, eq))) types.set(p.slice(0, eq), 'text');
  }
  const params: QueryParam[] = [...types].map(([name, type]) => ({ name, type, default: null }));
  return { params, values };
}

async function userOf(db: AppDb, name: string | undefined): Promise<User> {
  if (name) return (await findUser(db, name)) ?? fail(`--as ${name}: no such (enabled) user`, 2);
  const admin = (await listUsers(db)).find((u) => u.role === 'admin' && !u.disabled);
  return admin ?? fail('no admin user yet: create one (`npx vigil start`) or name a user with --as', 2);
}

const cellText = (v: RunReply['rows'][number][number]) => (v === null ? 'NULL' : String(v));

function print(reply: RunReply, format: QueryCliOptions['format']): void {
  const names = reply.columns.map((c) => c.name);
  if (format === 'json') {
    const { snapshot, columns, rows, rowCount, truncated, masked } = reply;
    process.stdout.write(`${JSON.stringify({ snapshot, columns, rows, rowCount, truncated, masked }, null, 2)}\n`);
  } else if (format === 'csv') {
    process.stdout.write([names, ...reply.rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n');
  } else {
    const right = reply.columns.flatMap((c, k) => (c.kind === 'number' ? [k] : []));
    process.stdout.write(textTable(names, reply.rows.map((r) => r.map(cellText)), right));
  }
  // on stderr, so that csv and json output stay clean for a pipe
  const note = `${reply.rowCount} row(s), snapshot ${reply.snapshot.id}${reply.masked ? ', personal columns masked' : ''}`;
  process.stderr.write(`${note}${reply.truncated ? `; truncated at ${reply.rowCount} rows (--limit)` : ''}\n`);
}

async function run(sql: string, opts: QueryCliOptions): Promise<void> {
  const paths = pathsOf(opts);
  const limit = opts.limit === undefined ? DEFAULT_ROW_LIMIT : parseIntOption(opts.limit, '--limit');
  const body = RunBody.safeParse({ sql, ...paramsOf(opts), snapshot: opts.snapshot, limit });
  if (!body.success) fail(`${body.error.issues[0].path.join('.') || 'query'}: ${body.error.issues[0].message}`, 2);
  const db = await openAppDbOrFail(paths);
  const engine = await QueryEngine.create(paths.snapshots);
  try {
    const user = await userOf(db, opts.as);
    print(await new QueryRunner({ db, engine, paths }).run(body.data, user), opts.format);
  } catch (err) {
    if (err instanceof SandboxError) fail(`${err.code}: ${err.message}`);
    if (err instanceof NoSnapshot || err instanceof SnapshotNotFound) fail(err.message);
    throw err;
  } finally {
    engine.close();
    await db.close();
  }
}

export function queryCommand(): Command {
  return command('query', "run one read-only SQL statement on a snapshot's tables, in the workbench's sandbox")
    .argument('<sql>', 'the statement, e.g. "SELECT status, count(*) FROM orders GROUP BY 1"')
    .option('--param <name=value>', 'a value for a $name placeholder (repeatable); undeclared ones are text', collect, [])
    .option('--declare <name:type>', `the type of a placeholder: ${PARAM_TYPES.join(', ')} (repeatable)`, collect, [])
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('table'))
    .option('--as <user>', 'run as this user: their pii permission decides masking (default: the first admin)')
    .option('--snapshot <id>', 'a published snapshot (default: the newest)')
    .option('--limit <n>', `at most this many rows (default ${DEFAULT_ROW_LIMIT})`)
    .action(run);
}
