// Personal columns (DESIGN.md, marked * in the customers table) leave DuckDB masked for every
// user without the `pii` permission: the masking is part of the SQL, never done in a page.
import { ident } from '../db/duck.ts';
import { TABLES } from '../snapshots/schema.ts';

/** SQL that masks one personal column of `customers`: 张** / 138****5678 / the city only. */
const MASKS: Record<string, (col: string, alias: string) => string> = {
  name: (col) => `CASE WHEN ${col} IS NULL THEN NULL ELSE left(${col}, 1) || repeat('*', greatest(length(${col}) - 1, 1)) END`,
  phone: (col) => `CASE WHEN ${col} IS NULL THEN NULL WHEN length(${col}) >= 7 THEN left(${col}, 3) || repeat('*', length(${col}) - 7) || right(${col}, 4) ELSE repeat('*', length(${col})) END`,
  address: (col, alias) => `CASE WHEN ${col} IS NULL THEN NULL ELSE coalesce(${alias}.city, '***') END`,
};

export interface Viewer {
  pii: boolean;
}

/** The select list of every customers column, personal ones masked unless the viewer has `pii`. */
export function customerColumns(viewer: Viewer, alias = 'c'): string {
  return TABLES.customers.columns
    .map((column) => {
      const col = `${alias}.${ident(column.name)}`;
      if (!column.personal || viewer.pii) return col;
      const mask = MASKS[column.name];
      if (!mask) throw new Error(`personal column customers.${column.name} has no mask`);
      return `${mask(col, alias)} AS ${ident(column.name)}`;
    })
    .join(', ');
}
