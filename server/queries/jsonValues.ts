// A result chunk as JSON-safe rows and typed columns (contract.ts RunReply): what the web grid,
// the CLI and the saved-query runs all receive.
import {
  DuckDBBlobValue, DuckDBTypeId, JsonDuckDBValueConverter, type DuckDBDataChunk, type DuckDBType, type Json,
} from '@duckdb/node-api';
import type { ResultColumn } from './contract.ts';

export type Cell = string | number | boolean | null;

const NUMBER_IDS = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.INTEGER, DuckDBTypeId.BIGINT, DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT, DuckDBTypeId.USMALLINT, DuckDBTypeId.UINTEGER, DuckDBTypeId.UBIGINT, DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.FLOAT, DuckDBTypeId.DOUBLE, DuckDBTypeId.DECIMAL, DuckDBTypeId.BIGNUM,
]);
const TEXT_IDS = new Set<DuckDBTypeId>([DuckDBTypeId.VARCHAR, DuckDBTypeId.ENUM, DuckDBTypeId.UUID]);
const TIME_IDS = new Set<DuckDBTypeId>([
  DuckDBTypeId.TIMESTAMP, DuckDBTypeId.TIMESTAMP_S, DuckDBTypeId.TIMESTAMP_MS, DuckDBTypeId.TIMESTAMP_NS,
  DuckDBTypeId.TIMESTAMP_TZ, DuckDBTypeId.TIME, DuckDBTypeId.TIME_TZ, DuckDBTypeId.TIME_NS,
]);
/** nested values travel as their JSON text, so that a grid cell stays a scalar */
const NESTED_IDS = new Set<DuckDBTypeId>([DuckDBTypeId.LIST, DuckDBTypeId.STRUCT, DuckDBTypeId.MAP, DuckDBTypeId.ARRAY, DuckDBTypeId.UNION, DuckDBTypeId.VARIANT]);

function kindOf(typeId: DuckDBTypeId): ResultColumn['kind'] {
  if (NUMBER_IDS.has(typeId)) return 'number';
  if (TEXT_IDS.has(typeId)) return 'text';
  if (typeId === DuckDBTypeId.DATE) return 'date';
  if (TIME_IDS.has(typeId)) return 'time';
  if (typeId === DuckDBTypeId.BOOLEAN) return 'boolean';
  return 'other';
}

export function resultColumns(names: string[], types: DuckDBType[]): ResultColumn[] {
  return names.map((name, i) => ({ name, type: String(types[i]), kind: kindOf(types[i].typeId) }));
}

/** Integers and decimals arrive as strings; within 2^53 they become numbers, beyond they stay exact strings. */
function numberCell(value: Json, typeId: DuckDBTypeId): Cell {
  if (typeof value !== 'string') return value as Cell;
  const n = Number(value);
  if (!Number.isFinite(n)) return value; // 'NaN', 'Infinity' of a DOUBLE
  return typeId === DuckDBTypeId.DECIMAL || typeId === DuckDBTypeId.FLOAT || typeId === DuckDBTypeId.DOUBLE || Number.isSafeInteger(n) ? n : value;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** One column of a chunk as JSON-safe cells. */
function columnCells(chunk: DuckDBDataChunk, index: number, type: DuckDBType): Cell[] {
  const id = type.typeId;
  if (id === DuckDBTypeId.BLOB || id === DuckDBTypeId.INTERVAL) {
    return chunk.getColumnValues(index).map((v) => (v === null ? null : v instanceof DuckDBBlobValue ? hex(v.bytes) : String(v)));
  }
  const values = chunk.convertColumnValues(index, JsonDuckDBValueConverter);
  if (NUMBER_IDS.has(id)) return values.map((v) => (v === null ? null : numberCell(v, id)));
  if (TIME_IDS.has(id) && id !== DuckDBTypeId.TIME && id !== DuckDBTypeId.TIME_TZ && id !== DuckDBTypeId.TIME_NS) {
    return values.map((v) => (v === null ? null : String(v).replace(' ', 'T')));
  }
  if (NESTED_IDS.has(id)) return values.map((v) => (v === null ? null : JSON.stringify(v)));
  return values as Cell[];
}

/** The first `max` rows of a chunk, row-major. */
export function chunkRows(chunk: DuckDBDataChunk, types: DuckDBType[], max: number): Cell[][] {
  const count = Math.min(chunk.rowCount, max);
  const columns = types.map((type, i) => columnCells(chunk, i, type));
  const rows: Cell[][] = [];
  for (let r = 0; r < count; r += 1) rows.push(columns.map((column) => column[r]));
  return rows;
}
