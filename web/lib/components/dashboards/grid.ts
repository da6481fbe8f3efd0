// The dashboard grid: 12 columns, rows of ROW_PX. Tiles are moved and resized by whole cells
// and always kept inside the grid; a new tile goes on the first free row under the others.

import type { DashboardTile, ParamValues, QueryParam } from './types.ts';

export const COLUMNS = 12;
export const ROW_PX = 80;
const MAX_ROW = 1000;
const MAX_HEIGHT = 20;

/** The first row no tile reaches into. */
export function nextFreeRow(tiles: DashboardTile[]): number {
  return tiles.reduce((row, tile) => Math.max(row, tile.y + tile.h), 0);
}

/** A new tile for `queryId`: full width if it is a table, half width for a chart, under the others. */
export function newTile(tiles: DashboardTile[], queryId: string, view: DashboardTile['view']): DashboardTile {
  return { queryId, view, x: 0, y: nextFreeRow(tiles), w: view === 'table' ? COLUMNS : 6, h: 4 };
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** Moves by (dx, dy) cells, staying inside the grid. */
export function moved(tile: DashboardTile, dx: number, dy: number): DashboardTile {
  return { ...tile, x: clamp(tile.x + dx, 0, COLUMNS - tile.w), y: clamp(tile.y + dy, 0, MAX_ROW) };
}

/** Grows or shrinks by (dw, dh) cells; a tile never spills over the right edge. */
export function resized(tile: DashboardTile, dw: number, dh: number): DashboardTile {
  const w = clamp(tile.w + dw, 1, COLUMNS - tile.x);
  return { ...tile, w, h: clamp(tile.h + dh, 1, MAX_HEIGHT) };
}

/** Reading order (top to bottom, left to right): the order tiles stack in on a phone. */
export function readingOrder(tiles: DashboardTile[]): { tile: DashboardTile; index: number }[] {
  return tiles.map((tile, index) => ({ tile, index })).sort((a, b) => a.tile.y - b.tile.y || a.tile.x - b.tile.x);
}

/** The starting values of the shared inputs: each parameter's default. */
export function defaultValues(params: QueryParam[]): ParamValues {
  return Object.fromEntries(params.map((p) => [p.name, p.default ?? null]));
}

/** What a tile's query is run with: the shared values of the parameters it declares (its own defaults for the rest). */
export function valuesFor(declared: QueryParam[], shared: ParamValues): ParamValues {
  return Object.fromEntries(declared.filter((p) => p.name in shared && shared[p.name] !== null).map((p) => [p.name, shared[p.name]]));
}
