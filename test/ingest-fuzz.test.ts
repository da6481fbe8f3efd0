// Property-based ingest of broken files: valid orders files (CSV and JSON lines) generated, then
// corrupted (wrong field counts, stray and unterminated quotes, bad dates and numbers, bytes that
// are not UTF-8, GBK text, a byte-order mark, mixed line ends, a cut-off last line, huge fields,
// lines that are not JSON objects, values of the wrong JSON type, an empty file). Each file is
// ingested into a store holding an earlier snapshot. Either the ingest refuses with a clear message
// and the earlier snapshot stays the newest, byte for byte, or the snapshot's report accounts for
// every row (read = accepted + rejected) and accepts exactly the rows that an independent parse
// here judges valid.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, literal, openDuck } from '../server/db/duck.ts';
import { ingest, IngestError, type IngestResult } from '../server/snapshots/ingest.ts';
import { listSnapshots } from '../server/snapshots/store.ts';
import { treeHashes } from './helpers/files.ts';

const HEADER = ['order_id', 'platform_id', 'ordered_at', 'status', 'paid_amount'];
const STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'];
/** DuckDB's line limit as read.ts sets it */
const MAX_LINE_BYTES = 2_097_152;
const INGEST_WITHIN_MS = 60_000;
/**
 * FUZZ_RUNS=500 searches deeper, locally; CI keeps the defaults. FUZZ_SEED and FUZZ_PATH replay a
 * reported failure ({ seed, path } in its message) with `-t` naming its test.
 */
const runs = (ci: number) => ({
  numRuns: Number(process.env.FUZZ_RUNS ?? ci),
  endOnFailure: true,
  ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED), path: process.env.FUZZ_PATH } : {}),
});

let dir: string;
let store: string;
let baseline: { id: string; files: Record<string, string> };


beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-ingest-fuzz-'));
  store = join(dir, 'snapshots');
  const input = join(dir, 'baseline');
  await mkdir(input);
  await writeFile(join(input, 'orders.csv'), `${HEADER.join(',')}\nB1,tmall,2025-01-01 10:00:00,paid,5.00\n`);
  const first = await ingest({ input, snapshotsRoot: store });
  baseline = { id: first.manifest.id, files: await treeHashes(join(store, first.manifest.id)) };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// ---- generated orders ----

type GeneratedBy<A> = A extends fc.Arbitrary<infer T> ? T : never;

interface Order {
  platform: string;
  day: number;
  second: number;
  status: string;
  cents: number;
}

const order: fc.Arbitrary<Order> = fc.record({
  platform: fc.constantFrom('tmall', 'jd', 'pdd'),
  day: fc.integer({ min: 0, max: 364 }),
  second: fc.integer({ min: 0, max: 86_399 }),
  status: fc.constantFrom(...STATUSES),
  cents: fc.integer({ min: 0, max: 10_000_000 }),
});

function fieldsOf(o: Order, k: number): string[] {
  const at = new Date(Date.UTC(2025, 0, 1) + o.day * 86_400_000 + o.second * 1000).toISOString().replace('T', ' ').slice(0, 19);
  return [`O${k + 1}`, o.platform, at, o.status, (o.cents / 100).toFixed(2)];
}

type CsvCorruption =
  | { kind: 'fields'; row: number; delta: number }
  | { kind: 'closing_quote' | 'mid_quote' | 'bad_date' | 'bad_number' | 'not_utf8' | 'gbk' | 'quoted_newline' | 'empty_amount'; row: number }
  | { kind: 'huge'; row: number; bytes: number };

const rowIndex = fc.nat({ max: 1_000 });
const csvCorruption: fc.Arbitrary<CsvCorruption> = fc.oneof(
  fc.record({ kind: fc.constant('fields' as const), row: rowIndex, delta: fc.constantFrom(-3, -1, 1, 2) }),
  fc.record({ kind: fc.constantFrom('closing_quote', 'mid_quote', 'bad_date', 'bad_number', 'not_utf8', 'gbk', 'quoted_newline', 'empty_amount'), row: rowIndex }),
  fc.record({ kind: fc.constant('huge' as const), row: rowIndex, bytes: fc.constantFrom(100_000, MAX_LINE_BYTES + 1_000) }),
);

const csvFile = fc.record({
  orders: fc.array(order, { minLength: 1, maxLength: 25 }),
  corruptions: fc.array(csvCorruption, { maxLength: 6 }),
  bom: fc.boolean(),
  crlf: fc.constantFrom('none', 'all', 'mixed'),
  crlfLines: fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
  /** bytes cut off the end, with the final line break */
  cut: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 12 })),
  /** a last row opening a quote it never closes */
  unterminated: fc.boolean(),
  /** declared GBK in the mapping (its ASCII is the same bytes) */
  gbk: fc.boolean(),
  gzip: fc.boolean(),
});

function csvBytes(f: GeneratedBy<typeof csvFile>): Buffer {
  const rows: Buffer[][] = f.orders.map((o, k) => fieldsOf(o, k).map((v) => Buffer.from(v)));
  for (const c of f.corruptions) {
    const fields = rows[c.row % rows.length];
    const s = (k: number, text: string) => (fields[k] = Buffer.from(text));
    // one quoting change per value: how a reader resumes after a broken quote within a quoted
    // value is its own choice, which this judgement does not try to second-guess
    // a row keeps at least one field (a blank line is no record; see the note on judgeCsv) and only
    // the changes that have a field to change
    const has = (k: number) => fields.length > k;
    const quoted = fields[0][0] === 0x22;
    if (c.kind === 'fields') {
      if (c.delta < 0) fields.splice(Math.max(1, fields.length + c.delta));
      else fields.push(...Array.from({ length: c.delta }, () => Buffer.from('extra')));
    } else if (c.kind === 'closing_quote' && !quoted) s(0, `"${fields[0]}"x`);
    else if (c.kind === 'quoted_newline' && !quoted) s(0, `"${fields[0]}\nline two"`);
    else if (c.kind === 'huge' && !quoted) s(0, `${fields[0]}${'z'.repeat(c.bytes)}`);
    else if (c.kind === 'mid_quote' && has(1)) s(1, `${fields[1]}"q`);
    else if (c.kind === 'bad_date' && has(2)) s(2, '2025-02-30 10:00:00');
    else if (c.kind === 'bad_number' && has(4)) s(4, '12.3.4');
    else if (c.kind === 'empty_amount' && has(4)) s(4, '');
    else if (c.kind === 'not_utf8' && has(1)) fields[1] = Buffer.concat([fields[1], Buffer.from([0xff])]);
    else if (c.kind === 'gbk' && has(1)) fields[1] = iconv.encode('天猫', 'gbk');
  }
  if (f.unterminated) rows.push([Buffer.from('"O0'), ...fieldsOf(f.orders[0], -1).slice(1).map((v) => Buffer.from(v))]);
  const lines = [Buffer.from(HEADER.join(',')), ...rows.map((fields) => Buffer.concat(fields.flatMap((v, k) => (k ? [Buffer.from(','), v] : [v]))))];
  const end = (k: number) => (f.crlf === 'all' || (f.crlf === 'mixed' && f.crlfLines[k % f.crlfLines.length]) ? '\r\n' : '\n');
  const body = Buffer.concat(lines.flatMap((line, k) => [line, Buffer.from(end(k))]));
  const cut = body.subarray(0, Math.max(body.length - f.cut, lines[0].length + 1));
  return f.bom && !f.gbk ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), cut]) : cut;
}

// ---- the independent judgement ----

const utf8 = new TextDecoder('utf-8', { fatal: true });
function decoded(bytes: Buffer, encoding = 'utf-8'): string | undefined {
  if (encoding !== 'utf-8') {
    const text = iconv.decode(bytes, encoding);
    return text.includes('\ufffd') ? undefined : text;
  }
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** What the checks make of one order's text values, for the columns these files have. */
function validOrder(v: (string | null)[]): boolean {
  const [id, platform, at, status, amount] = v;
  const date = at === null ? null : /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(at);
  const realDate = date !== null && new Date(`${date[1]}-${date[2]}-${date[3]}T00:00:00Z`).getUTCDate() === Number(date[3]);
  return !!id?.trim() && !!platform?.trim() && realDate && STATUSES.includes(status ?? '') && /^[0-9]+(\.[0-9]{0,2})?$/.test(amount ?? '');
}

interface Judged {
  /** records after the header, blank lines aside */
  records: number;
  acceptedIds: string[];
  /** data row number -> why it must be rejected: the reader could not take it apart, or its values fail the checks */
  rejected: Map<number, 'unreadable' | 'invalid'>;
}

/** Reasons of rows the reader quarantines (read.ts); any other reason is the checks'. */
const UNREADABLE = ['wrong_field_count', 'bad_quote', 'bad_encoding', 'line_too_long', 'bad_json', 'not_an_object'];

/**
 * RFC 4180 records as a strict reader splits them: a quote opens a quoted field only at a field's
 * start, "" inside is a quote, anything but a delimiter or line end after the closing quote breaks
 * the record (up to the next line break), a quote never closed takes the rest of the file.
 * Blank lines are not generated: the reader skips them, but the row numbers it reports after one
 * count the blank line for quarantined records and not for the others (a known gap, left in the
 * issue's note), which this judgement would have to copy.
 */
function judgeCsv(file: Buffer, encoding: string): Judged {
  const s = (file[0] === 0xef && file[1] === 0xbb && file[2] === 0xbf ? file.subarray(3) : file).toString('latin1');
  let pos = s.indexOf('\n') + 1 || s.length;
  let records = 0;
  const acceptedIds: string[] = [];
  const rejected: Judged['rejected'] = new Map();
  while (pos < s.length) {
    const start = pos;
    const fields: string[] = [];
    let broken = false;
    for (;;) {
      let field = '';
      if (s[pos] === '"') {
        pos++;
        for (;;) {
          const close = s.indexOf('"', pos);
          if (close < 0) {
            broken = true;
            pos = s.length;
            break;
          }
          field += s.slice(pos, close);
          if (s[close + 1] === '"') {
            field += '"';
            pos = close + 2;
          } else {
            pos = close + 1;
            break;
          }
        }
        if (!broken && !(pos >= s.length || s[pos] === ',' || s[pos] === '\n' || s.startsWith('\r\n', pos))) {
          broken = true;
          pos = s.indexOf('\n', pos) < 0 ? s.length : s.indexOf('\n', pos) + 1;
        }
      } else {
        const stop = /[,\n]/g;
        stop.lastIndex = pos;
        const found = stop.exec(s);
        const end = found ? found.index : s.length;
        field = s.slice(pos, end).replace(/\r$/, '');
        pos = end;
      }
      fields.push(field);
      if (broken) break;
      if (s[pos] === ',') {
        pos++;
        continue;
      }
      if (s.startsWith('\r\n', pos)) pos += 2;
      else if (s[pos] === '\n') pos++;
      break;
    }
    const raw = s.slice(start, pos);
    const row = ++records;
    const values = fields.map((v) => decoded(Buffer.from(v, 'latin1'), encoding));
    if (broken || fields.length !== HEADER.length || raw.length > MAX_LINE_BYTES || values.some((v) => v === undefined)) {
      rejected.set(row, 'unreadable');
      continue;
    }
    const text = values.map((v) => (v === '' ? null : v!));
    if (validOrder(text)) acceptedIds.push(text[0]!.trim());
    else rejected.set(row, 'invalid');
  }
  return { records, acceptedIds, rejected };
}

type JsonCorruption =
  | { kind: 'not_object'; row: number; value: string }
  | { kind: 'cut' | 'not_utf8' | 'drop_amount' | 'blank_before'; row: number }
  | { kind: 'wrong_type'; row: number; key: 'paid_amount' | 'status'; value: unknown };

const jsonCorruption: fc.Arbitrary<JsonCorruption> = fc.oneof(
  fc.record({ kind: fc.constant('not_object' as const), row: rowIndex, value: fc.constantFrom('[1,2]', '"text"', '42', 'null', 'true', '[{"order_id":"X"}]') }),
  fc.record({ kind: fc.constantFrom('cut', 'not_utf8', 'drop_amount', 'blank_before'), row: rowIndex }),
  fc.record({ kind: fc.constant('wrong_type' as const), row: rowIndex, key: fc.constantFrom('paid_amount', 'status'), value: fc.constantFrom<unknown>([1], { a: 1 }, true, 7, null) }),
);

const jsonFile = fc.record({
  orders: fc.array(order, { minLength: 1, maxLength: 25 }),
  corruptions: fc.array(jsonCorruption, { maxLength: 6 }),
  bom: fc.boolean(),
  crlf: fc.boolean(),
  finalBreak: fc.boolean(),
});

function jsonObject(line: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line ?? '');
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function jsonBytes(f: GeneratedBy<typeof jsonFile>): Buffer {
  const lines: Buffer[] = f.orders.map((o, k) => Buffer.from(JSON.stringify(Object.fromEntries(HEADER.map((h, i) => [h, fieldsOf(o, k)[i]])))));
  const blankBefore = new Set<number>();
  for (const c of f.corruptions) {
    const k = c.row % lines.length;
    if (c.kind === 'not_object') lines[k] = Buffer.from(c.value);
    else if (c.kind === 'cut') lines[k] = lines[k].subarray(0, Math.floor(lines[k].length / 2));
    else if (c.kind === 'not_utf8') lines[k] = Buffer.concat([lines[k].subarray(0, 14), Buffer.from([0xff]), lines[k].subarray(14)]);
    else if (c.kind === 'blank_before') blankBefore.add(k);
    else {
      // only a line still holding an object has a value to change or drop
      const object = jsonObject(decoded(lines[k]));
      if (!object) continue;
      if (c.kind === 'wrong_type') object[c.key] = c.value;
      else delete object.paid_amount;
      lines[k] = Buffer.from(JSON.stringify(object));
    }
  }
  const end = Buffer.from(f.crlf ? '\r\n' : '\n');
  const body = Buffer.concat(lines.flatMap((line, k) => [...(blankBefore.has(k) ? [end] : []), line, ...(k < lines.length - 1 || f.finalBreak ? [end] : [])]));
  return f.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
}

/** JSON lines: each non-blank line must be a JSON object; its values are read as text (->>). */
function judgeJson(file: Buffer): Judged {
  const text = (file[0] === 0xef && file[1] === 0xbb && file[2] === 0xbf ? file.subarray(3) : file).toString('latin1');
  let records = 0;
  const acceptedIds: string[] = [];
  const rejected: Judged['rejected'] = new Map();
  text.split('\n').forEach((raw, k) => {
    const line = decoded(Buffer.from(raw.replace(/\r$/, ''), 'latin1'));
    if (line !== undefined && line.trim() === '') return;
    records++;
    const object = jsonObject(line);
    if (!object) {
      rejected.set(k + 1, 'unreadable');
      return;
    }
    const asText = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v));
    const values = HEADER.map((h) => asText(object[h])).map((v) => (v === '' ? null : v));
    if (validOrder(values)) acceptedIds.push(values[0]!.trim());
    else rejected.set(k + 1, 'invalid');
  });
  return { records, acceptedIds, rejected };
}

// ---- ingest and compare ----

async function ingestWithin(input: string): Promise<IngestResult> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`ingest did not finish within ${INGEST_WITHIN_MS} ms`)), INGEST_WITHIN_MS);
  });
  try {
    return await Promise.race([ingest({ input, snapshotsRoot: store }), hang]);
  } finally {
    clearTimeout(timer);
  }
}

async function acceptedIds(result: IngestResult): Promise<string[]> {
  const duck = await openDuck();
  const conn = await duck.connect();
  try {
    const rows = await all<{ order_id: string }>(conn, `SELECT order_id FROM read_parquet(${literal(join(store, result.manifest.id, 'orders.parquet'))})`);
    return rows.map((r) => r.order_id);
  } finally {
    conn.closeSync();
    duck.closeSync();
  }
}

let inputs = 0;
/** Ingests `file` as `name` and checks the outcome against the independent judgement. */
async function checkIngest(name: string, file: Buffer, judged: Judged, mapping?: object): Promise<void> {
  const input = join(dir, `run-${++inputs}`);
  await mkdir(input);
  await writeFile(join(input, name), file);
  if (mapping) await writeFile(join(input, 'mapping.json'), JSON.stringify(mapping));
  const newestBefore = (await listSnapshots(store))[0].id;
  const outcome = await ingestWithin(input).catch((err: unknown) => err);
  const sorted = (ids: string[]) => [...ids].sort();
  if (outcome instanceof Error) {
    expect(outcome, outcome.stack).toBeInstanceOf(IngestError);
    expect(outcome.message).toMatch(/^(no order was accepted from orders\.|cannot read orders\.|orders\.\w+: the header line |orders\.jsonl: orders lacks required column)/);
    // a refusal is right only when no row is valid
    expect(judged.acceptedIds).toEqual([]);
    expect((await listSnapshots(store))[0].id).toBe(newestBefore);
    expect(await treeHashes(join(store, baseline.id))).toEqual(baseline.files);
    return;
  }
  const result = outcome as IngestResult;
  const orders = result.quality.tables.find((t) => t.table === 'orders')!;
  expect(orders.read).toBe(orders.accepted + orders.rejected);
  expect(Object.values(orders.reasons).reduce((a, b) => a + b, 0)).toBe(orders.rejected);
  expect(orders.read).toBe(judged.records);
  expect(sorted(await acceptedIds(result))).toEqual(sorted(judged.acceptedIds));
  // the report points at the right rows, for the reason of the right kind
  const shown = orders.samples.map((s) => [s.row, UNREADABLE.includes(s.reason) ? 'unreadable' : 'invalid']);
  expect(shown).toEqual(shown.map(([row]) => [row, judged.rejected.get(row as number)]));
  await rm(input, { recursive: true, force: true });
}

describe('ingest of corrupted files never crashes or hangs, and accounts for every row', () => {
  it('CSV (UTF-8 or declared GBK, plain or gzipped): accepts exactly the records a strict RFC 4180 reading judges valid', async () => {
    await fc.assert(
      fc.asyncProperty(csvFile, async (f) => {
        const file = csvBytes(f);
        const name = f.gzip ? 'orders.csv.gz' : 'orders.csv';
        const mapping = f.gbk ? { files: [{ file: name, table: 'orders', encoding: 'gbk' }] } : undefined;
        await checkIngest(name, f.gzip ? gzipSync(file) : file, judgeCsv(file, f.gbk ? 'gbk' : 'utf-8'), mapping);
      }),
      runs(60),
    );
  }, 300_000);

  it('JSON lines: accepts exactly the lines that parse as objects with valid values', async () => {
    await fc.assert(
      fc.asyncProperty(jsonFile, async (f) => {
        const file = jsonBytes(f);
        await checkIngest('orders.jsonl', file, judgeJson(file));
      }),
      runs(40),
    );
  }, 300_000);

  it('refuses an empty file, and one that is not text', async () => {
    const nothing: Judged = { records: 0, acceptedIds: [], rejected: new Map() };
    await checkIngest('orders.csv', Buffer.alloc(0), nothing);
    await checkIngest('orders.csv', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00]), nothing);
  });
});
