// The analysts' SQL runs here (DESIGN.md "Access"): a fresh in-memory DuckDB per run whose only
// readable files are the chosen snapshot's Parquet files behind views named after the canonical
// tables (the masked customers copy for users without `pii`), with file access, extensions and
// configuration changes locked before the user's statement is even parsed.
import {
  DuckDBDateValue, DuckDBInstance, StatementType, type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBType,
} from '@duckdb/node-api';
import { ident, literal } from '../db/duck.ts';
import { parquetSelect } from '../db/engine.ts';
import type { ParamValues, QueryParam, SandboxErrorCode } from './contract.ts';
import { chunkRows, type Cell } from './jsonValues.ts';
import { statementKeyword } from './sqlText.ts';

/** A refusal or failure of the sandbox; the message is what the user reads. */
export class SandboxError extends Error {
  constructor(readonly code: SandboxErrorCode, message: string) {
    super(message);
    this.name = 'SandboxError';
  }
}

const READ_KEYWORDS = ['SELECT', 'WITH', 'VALUES', 'DESCRIBE', 'SUMMARIZE', 'EXPLAIN', 'FROM', '('];
const READ_TYPES = new Set<StatementType>([StatementType.SELECT, StatementType.EXPLAIN]);
const READS_ONLY = 'the workbench only reads (SELECT, WITH, VALUES, DESCRIBE, SUMMARIZE, EXPLAIN)';

/** Per run: small enough that one analyst cannot starve the server. */
const INSTANCE_OPTIONS = {
  threads: '2',
  memory_limit: '1GB',
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
};

export interface SandboxFiles {
  /** view name → the Parquet file it reads */
  views: Record<string, string>;
  /** the one file a COPY may write (downloads) */
  output?: string;
}

export interface SandboxResult {
  names: string[];
  types: DuckDBType[];
  rows: Cell[][];
  truncated: boolean;
}

/** DuckDB's error as the user's reason: file access and interruption get their own codes. */
function translate(err: unknown, stopped: 'timeout' | 'cancelled' | undefined, timeoutMs: number): SandboxError {
  if (err instanceof SandboxError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (stopped === 'timeout') return new SandboxError('timeout', `the query ran longer than ${Math.round(timeoutMs / 1000)} s and was stopped`);
  if (stopped === 'cancelled') return new SandboxError('cancelled', 'the query was cancelled');
  const denied = /Permission Error: Cannot access (?:file|directory) "([^"]*)"/.exec(message);
  if (denied) return new SandboxError('file_access', `file access outside the snapshot is not allowed: ${denied[1]}`);
  if (/Permission Error/.test(message)) return new SandboxError('forbidden', `not allowed in the workbench: ${message.split('\n')[0]}`);
  return new SandboxError('sql_error', message);
}

function validDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** Binds one declared parameter by its type; the value never becomes SQL text. */
function bindParam(prepared: DuckDBPreparedStatement, index: number, param: QueryParam, values: ParamValues): void {
  const given = values[param.name];
  const value = given === undefined || given === null || given === '' ? param.default : given;
  if (value === null || value === '') throw new SandboxError('parameter', `parameter $${param.name} has no value`);
  if (param.type === 'date') {
    const text = String(value);
    if (!validDate(text)) throw new SandboxError('parameter', `parameter $${param.name} must be a date YYYY-MM-DD, got "${text}"`);
    const [year, month, day] = text.split('-').map(Number);
    prepared.bindDate(index, DuckDBDateValue.fromParts({ year, month, day }));
  } else if (param.type === 'number') {
    const n = typeof value === 'number' ? value : Number(value.trim());
    if (!Number.isFinite(n) || (typeof value === 'string' && value.trim() === '')) throw new SandboxError('parameter', `parameter $${param.name} must be a number, got "${value}"`);
    prepared.bindDouble(index, n);
  } else {
    const text = String(value);
    if (param.type === 'list' && param.options?.length && !param.options.includes(text)) {
      throw new SandboxError('parameter', `parameter $${param.name} must be one of its options, got "${text}"`);
    }
    prepared.bindVarchar(index, text);
  }
}

/** Every placeholder of the statement must be a declared parameter. */
function bindAll(prepared: DuckDBPreparedStatement, params: QueryParam[], values: ParamValues): void {
  for (let i = 1; i <= prepared.parameterCount; i += 1) {
    const name = prepared.parameterName(i);
    if (/^\d+$/.test(name) || name === '') throw new SandboxError('parameter', 'positional parameters (? or $1) are not supported: use $name placeholders');
    const param = params.find((p) => p.name === name);
    if (!param) throw new SandboxError('parameter', `$${name} is used but not declared as a parameter`);
    bindParam(prepared, i, param, values);
  }
}

/** One run's DuckDB: opened, used for one statement, closed. */
export class Sandbox {
  private stopped: 'timeout' | 'cancelled' | undefined;

  private constructor(private readonly instance: DuckDBInstance, private readonly conn: DuckDBConnection) {}

  static async open(files: SandboxFiles): Promise<Sandbox> {
    const instance = await DuckDBInstance.create(':memory:', INSTANCE_OPTIONS);
    try {
      const conn = await instance.connect();
      for (const [name, file] of Object.entries(files.views)) await conn.run(`CREATE VIEW ${ident(name)} AS ${parquetSelect(file)}`);
      const allowed = [...Object.values(files.views), ...(files.output ? [files.output] : [])];
      await conn.run(`SET allowed_paths = [${allowed.map(literal).join(', ')}]`);
      await conn.run('SET enable_external_access = false');
      await conn.run('SET lock_configuration = true');
      return new Sandbox(instance, conn);
    } catch (err) {
      instance.closeSync();
      throw err;
    }
  }

  /** Stops the running statement; the run then fails with this reason. */
  stop(reason: 'timeout' | 'cancelled'): void {
    this.stopped ??= reason;
    this.conn.interrupt();
  }

  /**
   * The single read-only statement of `sql`, prepared with its parameters bound. The checks run
   * on DuckDB's own parse: the statement count (comments cannot hide a second one), the first
   * keyword (PRAGMA is rewritten to a SELECT internally) and the prepared statement's type.
   */
  async prepare(sql: string, params: QueryParam[], values: ParamValues): Promise<DuckDBPreparedStatement> {
    const keyword = statementKeyword(sql);
    if (keyword === '') throw new SandboxError('not_select', 'the SQL holds no statement');
    const extracted = await this.conn.extractStatements(sql);
    if (extracted.count > 1) throw new SandboxError('multiple_statements', `only one statement per run (found ${extracted.count})`);
    if (!READ_KEYWORDS.includes(keyword)) throw new SandboxError('forbidden', `${keyword} is not allowed: ${READS_ONLY}`);
    const prepared = await extracted.prepare(0);
    if (!READ_TYPES.has(prepared.statementType)) {
      throw new SandboxError('not_select', `${StatementType[prepared.statementType] ?? 'this'} statements are not allowed: ${READS_ONLY}`);
    }
    bindAll(prepared, params, values);
    return prepared;
  }

  /** Runs the statement and keeps the first `limit` rows, reading one more to know whether it was cut. */
  async read(prepared: DuckDBPreparedStatement, limit: number): Promise<SandboxResult> {
    this.throwIfStopped();
    const result = await prepared.stream();
    const names = result.columnNames();
    const types = result.columnTypes();
    const rows: Cell[][] = [];
    let truncated = false;
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      this.throwIfStopped();
      const room = limit - rows.length;
      if (chunk.rowCount > room) {
        truncated = true;
        rows.push(...chunkRows(chunk, types, room));
        break;
      }
      rows.push(...chunkRows(chunk, types, room));
    }
    return { names, types, rows, truncated };
  }

  /** `COPY (<the checked statement>) TO <output>`: the statement itself was checked first by `prepare`. */
  async copy(statement: string, params: QueryParam[], values: ParamValues, output: string, format: 'csv' | 'parquet'): Promise<number> {
    this.throwIfStopped();
    // DuckDB would write a tmp_ file beside the output and rename it: a path outside allowed_paths
    const options = format === 'csv' ? '(FORMAT csv, HEADER, USE_TMP_FILE false)' : '(FORMAT parquet, USE_TMP_FILE false)';
    const prepared = await this.conn.prepare(`COPY (\n${statement}\n) TO ${literal(output)} ${options}`);
    bindAll(prepared, params, values);
    const result = await prepared.run();
    return Number(result.rowsChanged);
  }

  /** Runs `work` under the time limit; errors come out as SandboxErrors. */
  async limited<T>(timeoutMs: number, work: () => Promise<T>): Promise<T> {
    const timer = setTimeout(() => this.stop('timeout'), timeoutMs);
    try {
      return await work();
    } catch (err) {
      throw translate(err, this.stopped, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A stop that came before or between DuckDB calls, where interrupt() has nothing to interrupt. */
  private throwIfStopped(): void {
    if (this.stopped) throw new Error('Interrupted');
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
