// Dimension values and their display names: the filter bar's choices (catalog) and the labels of
// breakdown rows. Values are read from the same relations (and rollups) as the KPIs, so every
// choice offered is a value some KPI can be filtered by.
import { listValue } from '@duckdb/node-api';
import { ENUMS, type TableName } from '../snapshots/schema.ts';
import type { BreakdownDimension, CatalogReply, FilterDimension } from './contract.ts';
import { FILTER_DIMENSIONS } from './contract.ts';
import type { RunSql } from './evaluate.ts';
import { chooseSource, type SnapshotData } from './plan.ts';
import { NONE_KEY, dateRangeStatement, dimensionValuesStatement } from './query.ts';
import { RELATIONS, joinTables, type Relation } from './relations.ts';

/** Dimensions whose keys have a name in a table of their own. */
const NAMED: Partial<Record<BreakdownDimension, { table: TableName; key: string; label: string }>> = {
  platform: { table: 'platforms', key: 'platform_id', label: 'name' },
  product: { table: 'products', key: 'sku', label: 'name' },
  promotion: { table: 'promotions', key: 'promotion_id', label: 'name' },
};

/** Display names of `keys`; a key without one (or without its table) is its own label. */
export async function labels(run: RunSql, data: SnapshotData, dim: BreakdownDimension, keys: string[]): Promise<Map<string, string>> {
  const named = NAMED[dim];
  const found = new Map(keys.map((k) => [k, k]));
  const lookup = keys.filter((k) => k !== NONE_KEY);
  if (!named || !data.tables.has(named.table) || !lookup.length) return found;
  const rows = await run(
    `SELECT ${named.key} AS key, ${named.label} AS label FROM ${named.table} WHERE list_contains($keys, ${named.key}) AND ${named.label} IS NOT NULL`,
    { keys: listValue(lookup) },
  );
  for (const row of rows) found.set(String(row.key), String(row.label));
  return found;
}

/** Category and product live on lines; the other filters on the order. */
function relationOf(dim: FilterDimension): Relation {
  return dim === 'category' ? RELATIONS.lines : RELATIONS.orders;
}

const TIER_ORDER: readonly string[] = ENUMS.memberTier;

async function valuesOf(run: RunSql, data: SnapshotData, dim: FilterDimension): Promise<{ key: string; label: string }[]> {
  const relation = relationOf(dim);
  const tables = [...relation.tables, ...joinTables(relation, relation.dims[dim]!.joins ?? [])];
  if (!tables.every((t) => data.tables.has(t))) return [];
  const source = chooseSource(relation, undefined, [dim], new Set(), data.rollups);
  const keys = (await run(dimensionValuesStatement(relation, source, dim), {})).map((r) => String(r.value));
  if (dim === 'member_tier') keys.sort((a, b) => TIER_ORDER.indexOf(a) - TIER_ORDER.indexOf(b));
  const names = await labels(run, data, dim, keys);
  return keys.map((key) => ({ key, label: names.get(key)! }));
}

export async function dimensionValues(run: RunSql, data: SnapshotData): Promise<CatalogReply['dimensions']> {
  const lists = await Promise.all(FILTER_DIMENSIONS.map((d) => valuesOf(run, data, d)));
  return Object.fromEntries(FILTER_DIMENSIONS.map((d, i) => [d, lists[i]])) as CatalogReply['dimensions'];
}

/** First and last day with a valid order. */
export async function orderDateRange(run: RunSql, data: SnapshotData): Promise<{ minDate: string | null; maxDate: string | null }> {
  const relation = RELATIONS.orders;
  const [row] = await run(dateRangeStatement(relation, chooseSource(relation, undefined, [], new Set(), data.rollups)), {});
  return { minDate: (row?.min_day as string | null) ?? null, maxDate: (row?.max_day as string | null) ?? null };
}
