// The PostgreSQL peer: the setup a team pointing Metabase or Redash at PostgreSQL would have.
// The bench starts its own cluster (Debian's postgresql package) in a temporary folder on a free
// loopback port, loads the snapshot's tables with COPY (exported from DuckDB as CSV), indexes
// them as a careful user would (dates, platform, order and customer ids, the join keys), runs
// ANALYZE, then times the SAME base SQL the Overview's KPI calls run (bench/overview.ts), as
// prepared statements through psql, warm. The few DuckDB dialect bits are translated in one
// place, toPostgres() below; every answer is checked against DuckDB's before anything is timed.
// The cluster is stopped and its folder removed at the end, on failure and on Ctrl-C.
import { execFileSync, spawn } from 'node:child_process';
import { chmod, chown, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBValue } from '@duckdb/node-api';
import { all, literal, openDuck } from '../server/db/duck.ts';
import { QueryEngine } from '../server/db/engine.ts';
import type { Statement } from '../server/metrics/query.ts';
import { fmt, postgresBin, saveResult, stats, verdict, type Stats } from './common.ts';
import { baseStatements, OVERVIEW_KPI_CALLS } from './overview.ts';

/** Indexes a careful user would create: the date each dashboard filters on, platform, and the join keys. */
const INDEXES: Record<string, string[]> = {
  orders: ['order_id', 'ordered_at', 'platform_id', 'customer_id', 'promotion_id'],
  order_items: ['order_id', 'sku'],
  refunds: ['order_id'],
  products: ['sku'],
  customers: ['customer_id'],
  complaints: ['received_at', 'order_id', 'platform_id'],
  inquiries: ['received_at', 'platform_id'],
  logistics_events: ['order_id'],
  reviews: ['order_id', 'created_at'],
  traffic: ['date', 'platform_id'],
  inventory: ['date', 'sku'],
  promotions: ['promotion_id'],
  staff: ['staff_id'],
  market: ['month'],
};

/**
 * Settings a careful user would change from the defaults on a machine of this size; fsync=off only
 * shortens the bench's own load (a throw-away cluster) and changes no read query's plan or speed.
 */
const SETTINGS = ['shared_buffers=2GB', 'work_mem=64MB', 'effective_cache_size=8GB', 'max_parallel_workers_per_gather=2', 'jit=off', 'fsync=off'];

export const PEER_TARGET_RATIO = 0.1;

// ---------------------------------------------------------------- dialect

/** Index of the parenthesis closing the one at `open`. */
function closing(sql: string, open: number): number {
  let depth = 0;
  let quoted = false;
  for (let i = open; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'") quoted = !quoted;
    if (quoted) continue;
    if (c === '(') depth++;
    if (c === ')' && --depth === 0) return i;
  }
  throw new Error(`unbalanced parenthesis at ${open}`);
}

/** Splits at commas outside parentheses and quotes. */
function topLevelSplit(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") quoted = !quoted;
    if (quoted) continue;
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** The start of the SELECT at the same depth as `at`, scanning back. */
function enclosingSelect(sql: string, at: number): number {
  let depth = 0;
  for (let i = at; i >= 0; i--) {
    if (sql[i] === ')') depth++;
    if (sql[i] === '(') depth--;
    if (depth === 0 && /^SELECT\b/i.test(sql.slice(i, i + 7))) return i;
  }
  throw new Error('GROUP BY ALL without a SELECT');
}

/** The position of the FROM ending a select list that starts at `select`. */
function selectListEnd(sql: string, select: number): number {
  let depth = 0;
  for (let i = select; i < sql.length; i++) {
    if (sql[i] === '(') depth++;
    if (sql[i] === ')') depth--;
    if (depth === 0 && /^\bFROM\b/i.test(sql.slice(i, i + 5)) && /\s/.test(sql[i - 1])) return i;
  }
  throw new Error('SELECT without FROM');
}

const AGGREGATE = /\b(sum|count|max|min|avg|percentile_cont|quantile_cont)\s*\(/i;

/** PostgreSQL has no GROUP BY ALL: group by the positions of the select list's non-aggregates. */
function groupByAll(sql: string): string {
  for (let at = sql.search(/GROUP BY ALL\b/); at >= 0; at = sql.search(/GROUP BY ALL\b/)) {
    const select = enclosingSelect(sql, at);
    const items = topLevelSplit(sql.slice(select + 'SELECT'.length, selectListEnd(sql, select)));
    const positions = items.map((item, i) => (AGGREGATE.test(item) ? 0 : i + 1)).filter(Boolean);
    sql = `${sql.slice(0, at)}GROUP BY ${positions.join(', ')}${sql.slice(at + 'GROUP BY ALL'.length)}`;
  }
  return sql;
}

const NOT_AN_ALIAS = /^\s*(WHERE|GROUP|UNION|ORDER|LIMIT|LEFT|RIGHT|FULL|INNER|CROSS|JOIN|ON|HAVING|\)|$)/i;

/** PostgreSQL 15 wants an alias on every subquery in FROM/JOIN. */
function aliasSubqueries(sql: string): string {
  let n = 0;
  for (let i = 0; i < sql.length; i++) {
    if (sql[i] !== '(' || !/\b(FROM|JOIN)\s*$/i.test(sql.slice(Math.max(0, i - 6), i))) continue;
    const end = closing(sql, i);
    if (NOT_AN_ALIAS.test(sql.slice(end + 1))) sql = `${sql.slice(0, end + 1)} AS sub${n++}${sql.slice(end + 1)}`;
  }
  return sql;
}

/** quantile_cont(x, q) is percentile_cont(q) WITHIN GROUP (ORDER BY x). */
function quantiles(sql: string): string {
  for (let at = sql.indexOf('quantile_cont('); at >= 0; at = sql.indexOf('quantile_cont(')) {
    const open = at + 'quantile_cont'.length;
    const end = closing(sql, open);
    const args = topLevelSplit(sql.slice(open + 1, end));
    const q = args.pop()!.trim();
    sql = `${sql.slice(0, at)}percentile_cont(${q}) WITHIN GROUP (ORDER BY ${args.join(',')})${sql.slice(end + 1)}`;
  }
  return sql;
}

/** A DuckDB statement of the KPI engine in PostgreSQL's dialect, its named parameters numbered. */
export function toPostgres(statement: Statement): { sql: string; values: DuckDBValue[] } {
  const names = Object.keys(statement.params);
  let sql = statement.sql.replace(/\bepoch\(([^()]*)\)/g, 'extract(epoch FROM $1)');
  sql = aliasSubqueries(quantiles(groupByAll(sql)));
  sql = sql.replace(/\$([a-z_][a-z0-9_]*)/gi, (_, name: string) => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`no value for $${name}`);
    return `$${i + 1}`;
  });
  return { sql, values: names.map((n) => statement.params[n]) };
}

// ---------------------------------------------------------------- the cluster

interface Cluster {
  dir: string;
  port: number;
  bin: string;
  /** runs a server binary as the cluster's owner */
  asOwner: (file: string, args: string[]) => string;
  psql: (script: string, extra?: string[]) => Promise<string>;
  stop: () => void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** PostgreSQL refuses to run as root: then its binaries run as the `postgres` user the package creates. */
function ownerIds(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    return { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) };
  } catch {
    throw new Error('running as root, and there is no `postgres` user to run PostgreSQL as (apt-get install postgresql creates it)');
  }
}

async function startCluster(bin: string): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-pg-'));
  const owner = ownerIds();
  if (owner) await chown(dir, owner.uid, owner.gid);
  await chmod(dir, 0o755);
  const asOwner = (file: string, args: string[]) => execFileSync(owner ? 'runuser' : join(bin, file), owner ? ['-u', 'postgres', '--', join(bin, file), ...args] : args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await freePort();
  const data = join(dir, 'data');
  let started = false;
  const stop = () => {
    try {
      if (started) asOwner('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      started = false;
      execFileSync('rm', ['-rf', dir]);
    }
  };
  try {
    asOwner('initdb', ['-D', data, '-U', 'vigil', '--auth=trust', '-E', 'UTF8', '--locale=C', '-N']);
    const options = ['-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', ...SETTINGS.flatMap((s) => ['-c', s])].join(' ');
    started = true;
    asOwner('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', 'start']);
  } catch (err) {
    stop();
    throw err;
  }
  const psql = (script: string, extra: string[] = []) => new Promise<string>((resolve, reject) => {
    const child = spawn('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'vigil', '-d', 'postgres', '-X', '-q', '-v', 'ON_ERROR_STOP=1', ...extra], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`psql failed (${code}): ${err.trim().slice(0, 2000)}`))));
    child.stdin.end(script);
  });
  return { dir, port, bin, asOwner, psql, stop };
}

// ---------------------------------------------------------------- load

const pgType = (duckType: string) => (duckType === 'VARCHAR' ? 'text' : duckType === 'DOUBLE' ? 'double precision' : duckType);

interface LoadFigures {
  exportSeconds: number;
  copySeconds: number;
  indexSeconds: number;
  analyzeSeconds: number;
  rows: Record<string, number>;
}

/** Every table of the snapshot, exported to CSV by DuckDB and loaded with COPY; then indexes and ANALYZE. */
async function load(cluster: Cluster, files: Record<string, string>): Promise<LoadFigures> {
  const duck = await openDuck();
  const conn = await duck.connect();
  const ddl: string[] = [];
  const copies: string[] = [];
  let start = performance.now();
  try {
    for (const [table, file] of Object.entries(files)) {
      const columns = await all<{ column_name: string; column_type: string }>(conn, `DESCRIBE SELECT * FROM read_parquet(${literal(file)})`);
      const csv = join(cluster.dir, `${table}.csv`);
      await conn.run(`COPY (SELECT * FROM read_parquet(${literal(file)})) TO ${literal(csv)} (FORMAT csv, HEADER false)`);
      await chmod(csv, 0o644);
      ddl.push(`CREATE TABLE ${table} (${columns.map((c) => `${c.column_name} ${pgType(c.column_type)}`).join(', ')});`);
      copies.push(`COPY ${table} FROM ${literal(csv)} WITH (FORMAT csv);`);
    }
  } finally {
    conn.closeSync();
    duck.closeSync();
  }
  const exportSeconds = (performance.now() - start) / 1000;
  start = performance.now();
  await cluster.psql([...ddl, ...copies].join('\n'));
  const copySeconds = (performance.now() - start) / 1000;
  start = performance.now();
  const indexes = Object.entries(INDEXES).filter(([t]) => t in files).flatMap(([t, cols]) => cols.map((c) => `CREATE INDEX ON ${t} (${c});`));
  await cluster.psql(indexes.join('\n'));
  const indexSeconds = (performance.now() - start) / 1000;
  start = performance.now();
  await cluster.psql('ANALYZE;');
  const analyzeSeconds = (performance.now() - start) / 1000;
  const counted = await cluster.psql(Object.keys(files).map((t) => `SELECT '${t}', count(*) FROM ${t};`).join('\n'), ['-A', '-t', '-F', ',']);
  const rows = Object.fromEntries(counted.trim().split('\n').map((l) => l.split(',')).map(([t, n]) => [t, Number(n)]));
  return { exportSeconds, copySeconds, indexSeconds, analyzeSeconds, rows };
}

// ---------------------------------------------------------------- timing

const literalText = (v: DuckDBValue) => `'${String(v).replaceAll("'", "''")}'`;

/** Row count and the sum of every measure (all columns but period, bucket and key): enough to tell two answers apart. */
function fingerprint(rows: Record<string, unknown>[]): { rows: number; sum: number } {
  let sum = 0;
  for (const row of rows) for (const [k, v] of Object.entries(row)) if (!['period', 'bucket', 'key'].includes(k) && v !== null && v !== '') sum += Number(v);
  return { rows: rows.length, sum };
}

function parseCsv(text: string): Record<string, unknown>[] {
  const lines = text.trim().split('\n').filter(Boolean);
  if (!lines.length) return [];
  const header = lines[0].split(',');
  // measures are numbers and keys have no commas in the sample data, so a plain split is enough here
  return lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
}

const sameAnswer = (a: { rows: number; sum: number }, b: { rows: number; sum: number }) =>
  a.rows === b.rows && Math.abs(a.sum - b.sum) <= 1e-6 * Math.max(1, Math.abs(a.sum));

export interface PeerCallFigures {
  call: string;
  statements: number;
  sameAnswers: boolean;
  postgres: Stats;
}

/** Times one call: its statements prepared, one warm-up, then `runs` runs, statements one after another on one connection. */
async function timeCall(cluster: Cluster, statements: Statement[], runs: number): Promise<number[]> {
  const translated = statements.map(toPostgres);
  const prepare = translated.map((t, i) => `PREPARE s${i}(${t.values.map(() => 'text').join(', ')}) AS ${t.sql};`);
  const execute = translated.map((t, i) => `EXECUTE s${i}(${t.values.map(literalText).join(', ')});`).join('\n');
  const script = ['\\o /dev/null', ...prepare, execute, '\\timing on', ...Array.from({ length: runs }, () => execute)].join('\n');
  const out = await cluster.psql(script);
  const times = [...out.matchAll(/^Time: ([\d.]+) ms/gm)].map((m) => Number(m[1]));
  if (times.length !== runs * statements.length) throw new Error(`expected ${runs * statements.length} timings from psql, got ${times.length}`);
  return Array.from({ length: runs }, (_, r) => times.slice(r * statements.length, (r + 1) * statements.length).reduce((s, t) => s + t, 0));
}

/** Each statement answered by PostgreSQL as by DuckDB. */
async function checkAnswers(cluster: Cluster, queries: QueryEngine, statements: Statement[]): Promise<boolean> {
  for (const s of statements) {
    const duck = fingerprint(await queries.query(undefined, s.sql, s.params));
    const t = toPostgres(s);
    const script = `PREPARE s(${t.values.map(() => 'text').join(', ')}) AS ${t.sql};\nEXECUTE s(${t.values.map(literalText).join(', ')});`;
    if (!sameAnswer(duck, fingerprint(parseCsv(await cluster.psql(script, ['--csv']))))) return false;
  }
  return true;
}

export interface PeerBench {
  version: string;
  settings: string[];
  indexes: Record<string, string[]>;
  runs: number;
  load: LoadFigures;
  calls: PeerCallFigures[];
  together: Stats;
}

export const INSTALL_HINT = 'PostgreSQL is not installed: skipping the peer. Install it with `apt-get install postgresql` (Debian/Ubuntu) and run the bench again.';

/** The peer bench on the newest snapshot, or null (with a hint printed) when PostgreSQL is not installed. */
export async function benchPeer(snapshots: string, runs: number): Promise<PeerBench | null> {
  const bin = postgresBin();
  if (!bin) {
    console.log(INSTALL_HINT);
    return null;
  }
  const cluster = await startCluster(bin);
  const onSignal = (signal: NodeJS.Signals) => {
    cluster.stop();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const queries = await QueryEngine.create(snapshots);
  try {
    const snap = await queries.snapshot();
    const files = Object.fromEntries(Object.entries(snap.manifest.tables).map(([t, e]) => [t, join(snap.dir, e.file)]));
    const loaded = await load(cluster, files);
    const calls: PeerCallFigures[] = [];
    const perRun: number[][] = [];
    for (const call of OVERVIEW_KPI_CALLS) {
      const statements = baseStatements(call, snap.manifest.asOf, snap.tables);
      const sameAnswers = await checkAnswers(cluster, queries, statements);
      const ms = await timeCall(cluster, statements, runs);
      perRun.push(ms);
      calls.push({ call: call.name, statements: statements.length, sameAnswers, postgres: stats(ms) });
    }
    const version = (await cluster.psql('SELECT version();', ['-A', '-t'])).trim();
    // a dashboard tool asks its cards one after another on a pool of connections; summed, one run at a time
    const together = stats(perRun[0].map((_, r) => perRun.reduce((s, ms) => s + ms[r], 0)));
    return { version, settings: SETTINGS, indexes: INDEXES, runs, load: loaded, calls, together };
  } finally {
    queries.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cluster.stop();
  }
}

/** Vigil's figures per Overview call, as measured by the other parts, to set beside PostgreSQL's. */
export interface VigilFigures {
  uncached: Record<string, Stats>;
  served: Record<string, Stats>;
  uncachedTogether: Stats;
  servedTogether: Stats;
}

const ratio = (vigil: Stats | undefined, pg: Stats) => (vigil ? vigil.p50 / pg.p50 : null);

export function comparePeer(peer: PeerBench, vigil: VigilFigures) {
  const rows = peer.calls.map((c) => ({
    call: c.call,
    sameAnswers: c.sameAnswers,
    postgres: c.postgres,
    vigilUncached: vigil.uncached[c.call] ?? null,
    vigilServed: vigil.served[c.call] ?? null,
    ratioUncached: ratio(vigil.uncached[c.call], c.postgres),
    ratioServed: ratio(vigil.served[c.call], c.postgres),
  }));
  const together = {
    postgres: peer.together, vigilUncached: vigil.uncachedTogether, vigilServed: vigil.servedTogether,
    ratioUncached: vigil.uncachedTogether.p50 / peer.together.p50, ratioServed: vigil.servedTogether.p50 / peer.together.p50,
  };
  const met = rows.every((r) => r.ratioUncached !== null && r.ratioUncached <= PEER_TARGET_RATIO);
  return { rows, together, met };
}

const r2 = (r: number | null) => (r === null ? '–' : r.toFixed(3));

export function printPeerBench(orders: number, peer: PeerBench, compared: ReturnType<typeof comparePeer>): void {
  const l = peer.load;
  console.log(`\nPostgreSQL peer: ${peer.version}`);
  console.log(`load: export ${l.exportSeconds.toFixed(1)} s, COPY ${l.copySeconds.toFixed(1)} s, indexes ${l.indexSeconds.toFixed(1)} s, ANALYZE ${l.analyzeSeconds.toFixed(1)} s`);
  console.log(`Overview calls, ${orders.toLocaleString('en')} orders, warm ms p50 / p95 / p99 (${peer.runs} runs); ratios Vigil / PostgreSQL on p50`);
  console.table([
    ...compared.rows.map((r) => ({
      call: r.call, 'same answers': r.sameAnswers ? 'yes' : 'NO', PostgreSQL: fmt(r.postgres), 'Vigil uncached': fmt(r.vigilUncached), 'Vigil served': fmt(r.vigilServed),
      'uncached / PG': r2(r.ratioUncached), 'served / PG': r2(r.ratioServed),
    })),
    {
      call: 'all together', 'same answers': '', PostgreSQL: fmt(compared.together.postgres), 'Vigil uncached': fmt(compared.together.vigilUncached), 'Vigil served': fmt(compared.together.vigilServed),
      'uncached / PG': r2(compared.together.ratioUncached), 'served / PG': r2(compared.together.ratioServed),
    },
  ]);
  console.log(`target: Vigil ≥ 10× faster than PostgreSQL on every Overview call (uncached / PG ≤ ${PEER_TARGET_RATIO}, judged at 10M orders): ${verdict(compared.met)}${orders < 10_000_000 ? ' (at this size)' : ''}`);
}

export async function savePeerBench(orders: number, peer: PeerBench, compared: ReturnType<typeof comparePeer>): Promise<void> {
  await saveResult('peer', orders, {
    note: 'ms; PostgreSQL runs the engine\'s base SQL for each Overview call (translated by bench/peer.ts toPostgres) as prepared statements via psql, warm, statements of a call one after another; Vigil uncached = KPI engine with its cache off (bench/kpis.ts); Vigil served = the HTTP route warm (bench/pages.ts); ratios on p50',
    target: { what: `every Overview call: Vigil uncached / PostgreSQL <= ${PEER_TARGET_RATIO} at 10M orders`, met: compared.met },
    ...peer,
    compared,
  });
}
