// SQL builders that turn a source value (text, as every reader delivers it) into a canonical value,
// or NULL when it cannot be read. They are evaluated set-based by DuckDB, and the common case (a
// value already in canonical form) takes a cheap fast path: trimming every value of a million
// rows costs more than parsing them, so typed values are trimmed only on the slow path.
import { literal } from '../db/duck.ts';
import type { Column, ColumnType } from './schema.ts';

/** Spaces trimmed from every value: ASCII whitespace, no-break space, ideographic space. */
const SPACES = [' ', '\t', '\r', '\n', '\u00a0', '\u3000'];

function trimmed(t: string): string {
  return `trim(${t}, ${literal(SPACES.join(''))})`;
}

/** Trimmed text; an empty value is NULL. Checking for padding is cheaper than trimming. */
export function cleanText(sql: string): string {
  const padded = SPACES.map((s) => `starts_with(${sql}, ${literal(s)}) OR ends_with(${sql}, ${literal(s)})`).join(' OR ');
  return `nullif(CASE WHEN ${padded} THEN ${trimmed(sql)} ELSE ${sql} END, '')`;
}

/** Text for a typed column: empty is NULL; padding is left to the parser (see blankSql). */
export function rawText(sql: string): string {
  return `nullif(${sql}, '')`;
}

/** True for a value of nothing but spaces, which counts as empty. */
export function blankSql(t: string): string {
  return `(${trimmed(t)} = '')`;
}

/** Values that read as timestamps besides what CAST accepts (ISO forms with '-', 'T' or ' '). */
const TIMESTAMP_FORMATS = [
  '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d',
  '%Y.%m.%d %H:%M:%S', '%Y.%m.%d %H:%M', '%Y.%m.%d',
  '%Y年%m月%d日 %H:%M:%S', '%Y年%m月%d日 %H:%M', '%Y年%m月%d日',
];

function timestampSql(t: string): string {
  const u = trimmed(t);
  // CASE, not coalesce: DuckDB evaluates CASE branches only for the rows that reach them
  return `CASE WHEN TRY_CAST(${t} AS TIMESTAMP) IS NOT NULL THEN TRY_CAST(${t} AS TIMESTAMP)
    ELSE coalesce(TRY_CAST(${u} AS TIMESTAMP), try_strptime(${u}, [${TIMESTAMP_FORMATS.map(literal).join(', ')}])) END`;
}

function scaleOf(type: ColumnType): number {
  return type === 'DECIMAL(18,2)' ? 2 : type === 'DECIMAL(6,4)' ? 4 : 0;
}

/**
 * Numbers: a plain number with at most `scale` decimals is cast directly. Otherwise a leading
 * currency sign (¥ ￥ $ € £), a trailing 元 and thousands separators ("1,234.50") are removed, and
 * the value is accepted only if it has no more decimals than the column holds, up to binary
 * floating-point noise (0.30000000000000004 is 0.30; 12.345 is not silently rounded to 12.35).
 */
function numberSql(t: string, type: ColumnType): string {
  const scale = scaleOf(type);
  const plain = `'[+-]?[0-9]+(\\.[0-9]{0,${scale}})?'`;
  const unsigned = `regexp_replace(regexp_replace(${trimmed(t)}, '^([+-]?)\\s*[¥￥$€£]\\s*', '\\1'), '\\s*元$', '')`;
  const grouped = `CASE WHEN regexp_full_match(${unsigned}, '[+-]?[0-9]{1,3}(,[0-9]{3})+(\\.[0-9]*)?') THEN replace(${unsigned}, ',', '') ELSE ${unsigned} END`;
  const wide = `TRY_CAST(${grouped} AS DECIMAL(38,10))`;
  return `CASE WHEN regexp_full_match(${t}, ${plain}) THEN TRY_CAST(${t} AS ${type})
    WHEN ${wide} = round(${wide}, ${scale}) THEN TRY_CAST(${wide} AS ${type}) END`;
}

const TRUE_WORDS = ['true', 't', 'yes', 'y', '1', '是', '对'];
const FALSE_WORDS = ['false', 'f', 'no', 'n', '0', '否', '错'];

function booleanSql(t: string): string {
  const list = (words: string[]) => words.map(literal).join(', ');
  const word = `lower(${trimmed(t)})`;
  return `CASE WHEN ${word} IN (${list(TRUE_WORDS)}) THEN true WHEN ${word} IN (${list(FALSE_WORDS)}) THEN false END`;
}

/**
 * Other spellings of canonical enum values, as Chinese platform exports write them. A synonym
 * applies only to columns whose enum has its canonical value, so 已关闭 is `cancelled` for an
 * order and `closed` for a complaint.
 */
const SYNONYMS: Record<string, string[]> = {
  pending: ['待付款', '待支付', '未付款'],
  paid: ['已付款', '已支付', '待发货'],
  shipped: ['已发货', '待收货', '运输中'],
  delivered: ['已签收', '已收货', '交易成功', '已完成'],
  cancelled: ['canceled', '已取消', '交易关闭', '已关闭'],
  requested: ['退款中', '待处理', '申请中'],
  approved: ['已退款', '退款成功', '已同意'],
  rejected: ['已拒绝', '拒绝退款'],
  closed: ['已关闭'],
  none: ['普通会员', '无'],
  silver: ['银卡'],
  gold: ['金卡'],
  platinum: ['白金卡', '铂金卡'],
  diamond: ['钻石卡'],
};

/** Canonical enum spelling: case, surrounding and inner whitespace and hyphens do not matter. */
function enumSql(values: readonly string[], t: string): string {
  const exact = values.map((v) => `WHEN ${literal(v)} THEN ${literal(v)}`).join(' ');
  const spellings = values.flatMap((v) => [v, ...(SYNONYMS[v] ?? [])].map((s) => `WHEN ${literal(s)} THEN ${literal(v)}`)).join(' ');
  const key = `regexp_replace(lower(${trimmed(t)}), '[\\s\\-]+', '_', 'g')`;
  return `CASE ${t} ${exact} ELSE CASE ${key} ${spellings} END END`;
}

/** A column whose text needs parsing (and arrives as rawText), rather than cleaning (cleanText). */
export function isParsed(column: Pick<Column, 'type' | 'enum'>): boolean {
  return column.type !== 'VARCHAR' || column.enum !== undefined;
}

/** The typed value of a text, or NULL when it does not parse. */
export function parseSql(type: ColumnType, t: string, values?: readonly string[]): string {
  switch (type) {
    case 'VARCHAR':
      return values ? enumSql(values, t) : t;
    case 'INTEGER':
    case 'BIGINT':
    case 'DECIMAL(18,2)':
    case 'DECIMAL(6,4)':
      return numberSql(t, type);
    case 'DOUBLE':
      return `CASE WHEN isfinite(TRY_CAST(${trimmed(t)} AS DOUBLE)) THEN TRY_CAST(${trimmed(t)} AS DOUBLE) END`;
    case 'BOOLEAN':
      return booleanSql(t);
    case 'TIMESTAMP':
      return timestampSql(t);
    case 'DATE':
      // exports often write dates as midnight timestamps; the day is what a DATE column keeps
      return `CAST(${timestampSql(t)} AS DATE)`;
  }
}

/** The reason code for a value that is present but does not parse as the column's type. */
export function parseFailure(column: Pick<Column, 'type' | 'enum'>): { reason: string; expected: string } {
  if (column.enum) return { reason: 'unknown_enum', expected: `is not one of ${column.enum.join(', ')}` };
  switch (column.type) {
    case 'DATE':
      return { reason: 'bad_date', expected: 'is not a date (e.g. 2025-03-07 or 2025/3/7)' };
    case 'TIMESTAMP':
      return { reason: 'bad_date', expected: 'is not a date/time (e.g. 2025-03-07 14:05:00 or 2025/3/7 14:05)' };
    case 'BOOLEAN':
      return { reason: 'bad_boolean', expected: 'is not a yes/no value (true/false, 1/0, yes/no, 是/否)' };
    case 'INTEGER':
    case 'BIGINT':
      return { reason: 'bad_number', expected: 'is not a whole number' };
    case 'DECIMAL(18,2)':
      return { reason: 'bad_number', expected: 'is not an amount with at most 2 decimal places' };
    case 'DECIMAL(6,4)':
      return { reason: 'bad_number', expected: 'is not a rate below 100 with at most 4 decimal places' };
    case 'DOUBLE':
    case 'VARCHAR':
      return { reason: 'bad_number', expected: 'is not a number' };
  }
}

/** A value shown in a rejection detail: quoted, and cut short so one wild value cannot bloat the report. */
export function shownValue(t: string): string {
  return `coalesce('''' || left(${t}, 80) || '''', 'empty')`;
}
