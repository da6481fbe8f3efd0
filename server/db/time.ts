// DuckDB TIMESTAMP columns hold UTC without a zone, while the API and the code speak ISO 8601
// with 'Z'. These are the one conversion in each direction.
type DbValue = string | number | boolean | null;

/** A time as a TIMESTAMP parameter: UTC, no zone (DuckDB drops an offset instead of applying it). */
export const toDbTime = (at: Date | string | number): string => new Date(at).toISOString().replace('T', ' ').replace('Z', '');

/** A TIMESTAMP column's value as ISO 8601 UTC; null stays null. */
export function fromDbTime(value: string | number): string;
export function fromDbTime(value: DbValue): string | null;
export function fromDbTime(value: DbValue): string | null {
  return value === null ? null : new Date(`${String(value).replace(' ', 'T')}Z`).toISOString();
}
