// Loads one source into a DuckDB table of text columns c0..cN in file order, whatever its format.
// Headers stay in JS (they may be Chinese or anything else) and SQL only ever sees positional
// names. rowid + 1 is the 1-based data row number: the table is created in file order, and where
// records were quarantined (see createQuarantineTable) it has its own rowid column, which DuckDB
// lets shadow the implicit one, numbering the rows as the file does.
import { stat } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, literal } from '../db/duck.ts';
import { IngestError } from './failure.ts';
import type { FileInput, InlineRows } from './inputs.ts';
import type { Scalar } from './mapping.ts';
import { firstBytes, lfInput } from './transcode.ts';

export interface LoadedSource {
  /** DuckDB table with columns c0..cN (VARCHAR) */
  table: string;
  headers: string[];
  /** rows loaded into the table */
  rows: number;
  /** records of the file the reader could not take apart, kept in `quarantine` instead */
  quarantined: number;
}

/**
 * Records quarantined while reading, one per record: `row` is the 1-based data row number (the
 * header is not counted). The rest of the file is loaded; read = loaded + quarantined.
 */
export async function createQuarantineTable(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE TABLE quarantine (src INTEGER, "row" BIGINT, reason VARCHAR, detail VARCHAR)`);
}

async function quarantinedCount(conn: DuckDBConnection, src: number): Promise<number> {
  const [{ n }] = await all<{ n: number }>(conn, `SELECT count(*) AS n FROM quarantine WHERE src = ${src}`);
  return n;
}

/** DuckDB's multi-line errors reduced to one line that says what is wrong. */
function readFailure(input: FileInput, err: unknown): IngestError {
  const message = String((err as Error).message ?? err);
  const first = message.split('\n')[0].replace(/^[A-Za-z ]+ Error: /, '');
  return new IngestError(`cannot read ${input.name}: ${first}`);
}

/** A header by exact name, else by name ignoring case and surrounding spaces (when unambiguous). */
export function findHeader(headers: string[], name: string): number | undefined {
  const exact = headers.indexOf(name);
  if (exact >= 0) return exact;
  const loose = (h: string) => h.trim().toLowerCase();
  const matches = headers.flatMap((h, k) => (loose(h) === loose(name) ? [k] : []));
  return matches.length === 1 ? matches[0] : undefined;
}

function textColumns(count: number, column: (k: number) => string): string {
  return Array.from({ length: count }, (_, k) => `${column(k)} AS c${k}`).join(', ');
}

/** `row`, when given, becomes the table's own rowid column: file order with gaps where records were quarantined. */
async function createFrom(conn: DuckDBConnection, table: string, headers: string[], column: (k: number) => string, from: string, row?: string): Promise<LoadedSource> {
  // preserve_insertion_order (DuckDB's default) keeps file order, which rowid then numbers
  await conn.run(`CREATE TABLE ${table} AS SELECT ${row ? `${row} AS rowid, ` : ''}${textColumns(headers.length, column)} FROM ${from}`);
  const [{ n }] = await all<{ n: number }>(conn, `SELECT count(*) AS n FROM ${table}`);
  return { table, headers, rows: n, quarantined: 0 };
}

/** DuckDB's default, stated so that the message quoting it stays true. */
const MAX_LINE_BYTES = 2_097_152;
/** Enough for any real header line; a file with no line break this early is not a table. */
const HEAD_BYTES = 65_536;

function shown(line: string): string {
  return `CASE WHEN length(${line}) > 80 THEN left(${line}, 80) || '…' ELSE ${line} END`;
}

function notDecodable(input: FileInput): string {
  return input.encoding
    ? `holds bytes that are not valid ${input.encoding}`
    : 'is not valid UTF-8 text; if the file is GBK or GB18030, declare "encoding": "gbk" for it in the mapping';
}

/**
 * Moves the records readRecords could not read (`${read}_rejects`, DuckDB's reject_errors table)
 * into `quarantine`, one per record with the first error found in it, and numbers the records it
 * loaded (`${read}_raw`) by their place in the file into `table`. DuckDB's `line` counts records
 * from the first line of the file, so `headerLines` is subtracted to get data row numbers.
 */
async function quarantineRejects(conn: DuckDBConnection, input: FileInput, src: number, read: string, table: string, headerLines: number, structural: { reason: string; detail: string }): Promise<number> {
  const raw = `${read}_raw`;
  await conn.run(`INSERT INTO quarantine
    SELECT ${src}, line - ${headerLines}, CASE
        WHEN error_type = 'INVALID ENCODING' THEN 'bad_encoding'
        WHEN error_type = 'LINE SIZE OVER MAXIMUM' THEN 'line_too_long'
        ELSE ${structural.reason} END,
      CASE
        WHEN error_type = 'INVALID ENCODING' THEN ${literal(`line ${notDecodable(input)}`)}
        WHEN error_type = 'LINE SIZE OVER MAXIMUM' THEN ${literal(`line is longer than ${MAX_LINE_BYTES} bytes`)}
        ELSE ${structural.detail} END
    FROM (SELECT line, arg_min(error_type, byte_position) AS error_type, arg_min(error_message, byte_position) AS message,
            arg_min(csv_line, byte_position) AS csv_line
          FROM ${read}_rejects GROUP BY line)`);
  const n = await quarantinedCount(conn, src);
  if (n === 0) {
    await conn.run(`ALTER TABLE ${raw} RENAME TO ${table}`);
    return 0;
  }
  // The loaded record at position r (0-based) has as many quarantined records before it as there
  // are quarantined records with at most r loaded records before them.
  await conn.run(`CREATE TABLE ${table} AS
    WITH q AS (SELECT "row" - row_number() OVER (ORDER BY "row") AS before, row_number() OVER (ORDER BY "row") AS n FROM quarantine WHERE src = ${src}),
    gaps AS (SELECT before, max(n) AS n FROM q GROUP BY before)
    SELECT r.rowid + coalesce(g.n, 0) AS rowid, r.* FROM ${raw} r ASOF LEFT JOIN gaps g ON r.rowid >= g.before`);
  await conn.run(`DROP TABLE ${raw}`);
  return n;
}

/**
 * read_csv of the input into `${table}_raw`, its rejected records into `${table}_rejects`. The
 * dialect is fixed (no sniffing) and strict, so that a record with too many fields or text after a
 * closing quote is rejected rather than silently cut. Strict mode takes one kind of line end per
 * file, so a file mixing \r\n and \n is read from a copy with \n only.
 */
async function readRecords(conn: DuckDBConnection, input: FileInput, work: string, src: number, table: string, dialect: string): Promise<void> {
  const read = async (path: string) => {
    await conn.run(`DROP TABLE IF EXISTS ${table}_rejects`);
    await conn.run(`DROP TABLE IF EXISTS ${table}_scans`);
    await conn.run(`CREATE TABLE ${table}_raw AS SELECT * FROM read_csv(${literal(path)}, ${dialect}, auto_detect = false, strict_mode = true,
      max_line_size = ${MAX_LINE_BYTES}, store_rejects = true, rejects_table = '${table}_rejects', rejects_scan = '${table}_scans')`);
  };
  try {
    await read(input.path);
  } catch (err) {
    if (!/state machine reached an invalid state/.test(String((err as Error).message))) throw err;
    await read((await lfInput(input, work, src)).path);
  }
}

/** The start of a text file, after checks that it is one; its UTF-8 byte-order mark removed. */
async function textHead(input: FileInput): Promise<Buffer> {
  const head = await firstBytes(input, HEAD_BYTES);
  if (head.length === 0) throw new IngestError(`cannot read ${input.name}: the file is empty`);
  if (head.includes(0)) {
    throw new IngestError(`cannot read ${input.name}: it is not a text file (it holds NUL bytes: binary data, or UTF-16 without a byte-order mark)`);
  }
  return head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
}

/** The header's fields, split as DuckDB splits records: the delimiter, and double quotes with "" inside. */
function headerFields(line: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (quoted) {
      if (line[i] !== '"') field += line[i];
      else if (line[i + 1] === '"') field += line[i++];
      else quoted = false;
    } else if (line[i] === '"' && field === '') {
      quoted = true;
    } else if (line.startsWith(delimiter, i)) {
      fields.push(field);
      field = '';
      i += delimiter.length - 1;
    } else {
      field += line[i];
    }
  }
  return [...fields, field];
}

/**
 * The header is read here, not sniffed: DuckDB's sniffer gives up on a file with a few broken
 * lines, which are quarantined instead. Everything after it is split by DuckDB with a fixed
 * dialect, and records it cannot split into the header's fields are quarantined.
 */
async function csvHeaders(input: FileInput, delimiter: string): Promise<string[]> {
  const head = await textHead(input);
  const end = head.indexOf(0x0a);
  if (end < 0 && head.length >= HEAD_BYTES - 3) throw new IngestError(`cannot read ${input.name}: its first ${HEAD_BYTES} bytes hold no line break, so it has no header line`);
  let line: string;
  try {
    line = new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end < 0 ? head.length : end));
  } catch {
    throw new IngestError(`${input.name}: the header line ${notDecodable(input)}`);
  }
  const headers = headerFields(line.replace(/\r$/, ''), delimiter);
  if (headers.every((h) => h.trim() === '')) throw new IngestError(`cannot read ${input.name}: its first line is empty, so it has no header`);
  return headers;
}

async function loadCsv(conn: DuckDBConnection, input: FileInput, work: string, table: string, src: number): Promise<LoadedSource> {
  const delimiter = input.delimiter ?? ',';
  const headers = await csvHeaders(input, delimiter);
  const columns = `{${headers.map((_, k) => `'c${k}': 'VARCHAR'`).join(', ')}}`;
  await readRecords(conn, input, work, src, table, `header = true, columns = ${columns}, delim = ${literal(delimiter)}, quote = '"', escape = '"'`);
  const quarantined = await quarantineRejects(conn, input, src, table, table, 1, {
    reason: `CASE WHEN error_type = 'UNQUOTED VALUE' THEN 'bad_quote' WHEN error_type IN ('MISSING COLUMNS', 'TOO MANY COLUMNS') THEN 'wrong_field_count' ELSE 'unreadable_line' END`,
    detail: `CASE
      WHEN error_type = 'UNQUOTED VALUE' THEN 'a quoted value is not closed, or has text after its closing quote: ' || ${shown('csv_line')}
      WHEN error_type IN ('MISSING COLUMNS', 'TOO MANY COLUMNS') THEN 'line has ' || regexp_extract(message, 'Found: (\\d+)', 1) || ' fields where the header has ${headers.length}: ' || ${shown('csv_line')}
      ELSE message END`,
  });
  const [{ n }] = await all<{ n: number }>(conn, `SELECT count(*) AS n FROM ${table}`);
  return { table, headers, rows: n, quarantined };
}

/** Columns of every key of the objects in `objects` (json, with rowid in file order), quarantined objects excluded. */
async function loadObjects(conn: DuckDBConnection, input: FileInput, table: string, src: number, objects: string): Promise<LoadedSource> {
  const keys = await all<{ key: string }>(
    conn,
    `SELECT key FROM (SELECT rowid AS r, unnest(json_keys(json)) AS key, generate_subscripts(json_keys(json), 1) AS pos FROM ${objects})
     GROUP BY key ORDER BY min(r), min(pos)`,
  );
  const headers = keys.map((k) => k.key);
  if (!headers.length) throw new IngestError(`cannot read ${input.name}: it holds no JSON objects with fields`);
  const pointer = (key: string) => literal(`/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
  const loaded = await createFrom(conn, table, headers, (k) => `json ->> ${pointer(headers[k])}`, `${objects} ORDER BY rowid`, 'rowid');
  await conn.run(`DROP TABLE ${objects}`);
  return { ...loaded, quarantined: await quarantinedCount(conn, src) };
}

const NOT_AN_OBJECT = `'is JSON but not an object: ' || ${shown('CAST(json AS VARCHAR)')}`;
const notJson = (line: string) => `'line is not valid JSON: ' || ${shown(line)}`;

/**
 * JSON lines, one object per line (blank lines skipped), or (a .json file starting with "[") one
 * JSON array of objects. Every key becomes a text column; nested values stay JSON text. A line
 * that is not a JSON object, and an array element that is not an object, is quarantined; an array
 * that does not parse is refused.
 */
async function loadJson(conn: DuckDBConnection, input: FileInput, work: string, table: string, src: number): Promise<LoadedSource> {
  const head = (await textHead(input)).toString('latin1').trimStart();
  if (head === '') throw new IngestError(`cannot read ${input.name}: it holds only blank lines`);
  const objects = `${table}_json`;
  // a JSON-lines file may well start with a line holding an array, to be quarantined
  const lines = /\.(jsonl|ndjson)(\.gz)?$/i.test(input.name);
  if (!lines && head.startsWith('[')) {
    await conn.run(`CREATE TABLE ${objects}_all AS SELECT json FROM read_json_objects(${literal(input.path)}, format = 'array')`);
    await conn.run(`INSERT INTO quarantine SELECT ${src}, rowid + 1, 'not_an_object', ${NOT_AN_OBJECT} FROM ${objects}_all WHERE json_type(json) <> 'OBJECT'`);
  } else {
    // Each line is read whole: \x01 cannot occur unescaped in JSON, and there are no quotes to pair.
    await readRecords(conn, input, work, src, table, `header = false, columns = {'line': 'VARCHAR'}, delim = '\x01', quote = '', escape = ''`);
    await quarantineRejects(conn, input, src, table, `${table}_lines`, 0, {
      reason: `'bad_json'`,
      detail: notJson('csv_line'),
    });
    await conn.run(`CREATE TABLE ${objects}_all AS SELECT rowid, line AS json FROM ${table}_lines WHERE trim(line) <> ''`);
    await conn.run(`DROP TABLE ${table}_lines`);
    await conn.run(`INSERT INTO quarantine SELECT ${src}, rowid + 1, 'bad_json', ${notJson('json')} FROM ${objects}_all WHERE NOT json_valid(json)`);
    await conn.run(`INSERT INTO quarantine SELECT ${src}, rowid + 1, 'not_an_object', ${NOT_AN_OBJECT} FROM ${objects}_all WHERE json_valid(json) AND json_type(json) <> 'OBJECT'`);
  }
  await conn.run(`CREATE TABLE ${objects} AS SELECT rowid, CAST(json AS JSON) AS json FROM ${objects}_all WHERE json_valid(json) AND json_type(json) = 'OBJECT'`);
  await conn.run(`DROP TABLE ${objects}_all`);
  return loadObjects(conn, input, table, src, objects);
}

async function loadParquet(conn: DuckDBConnection, input: FileInput, table: string): Promise<LoadedSource> {
  const from = `read_parquet(${literal(input.path)})`;
  const headers = (await all<{ column_name: string }>(conn, `DESCRIBE SELECT * FROM ${from}`)).map((r) => r.column_name);
  return createFrom(conn, table, headers, (k) => `CAST(#${k + 1} AS VARCHAR)`, from);
}

/** Loads source `src` into `table` (`work`: a folder for temporary copies); records that cannot be read are quarantined, a file that is no table is refused. */
export async function loadFile(conn: DuckDBConnection, input: FileInput, work: string, table: string, src: number): Promise<LoadedSource> {
  if ((await stat(input.path)).size === 0) throw new IngestError(`cannot read ${input.name}: the file is empty`);
  try {
    if (input.reader === 'csv') return await loadCsv(conn, input, work, table, src);
    if (input.reader === 'json') return await loadJson(conn, input, work, table, src);
    return await loadParquet(conn, input, table);
  } catch (err) {
    throw err instanceof IngestError ? err : readFailure(input, err);
  }
}

/** Rows written in the mapping itself, loaded like a file whose headers are their keys. */
export async function loadInlineRows(conn: DuckDBConnection, inline: InlineRows, table: string): Promise<LoadedSource> {
  const headers = [...new Set(inline.rows.flatMap((r) => Object.keys(r)))];
  const text = (v: Scalar | undefined) => (v === null || v === undefined ? 'NULL::VARCHAR' : literal(String(v)));
  const values = inline.rows.map((r) => `(${headers.map((h) => text(r[h])).join(', ')})`).join(', ');
  const names = headers.map((_, k) => `c${k}`).join(', ');
  return createFrom(conn, table, headers, (k) => `c${k}`, `(VALUES ${values}) AS v(${names})`);
}
