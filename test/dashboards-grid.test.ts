// The dashboard grid's rules (web/lib/components/dashboards/grid.ts): tiles stay inside the 12
// columns, a pinned tile goes under the others, a tile's query gets only the shared values of
// the parameters it declares.
import { describe, expect, it } from 'vitest';
import type { DashboardTile, QueryParam } from '../server/queries/contract.ts';
import { defaultValues, moved, newTile, nextFreeRow, readingOrder, resized, valuesFor } from '../web/lib/components/dashboards/grid.ts';

const tile = (x: number, y: number, w: number, h: number, queryId = 'q-1'): DashboardTile => ({ queryId, view: 'chart', x, y, w, h });

describe('dashboard grid', () => {
  it('puts a new tile on the first row no tile reaches into', () => {
    expect(nextFreeRow([])).toBe(0);
    const tiles = [tile(0, 0, 6, 4), tile(6, 2, 6, 5), tile(0, 4, 3, 1)];
    expect(nextFreeRow(tiles)).toBe(7);
    expect(newTile(tiles, 'q-9', 'chart')).toEqual({ queryId: 'q-9', view: 'chart', x: 0, y: 7, w: 6, h: 4 });
    expect(newTile(tiles, 'q-9', 'table').w).toBe(12);
  });

  it('keeps moved and resized tiles inside the 12 columns', () => {
    expect(moved(tile(8, 0, 4, 2), 1, 0)).toMatchObject({ x: 8 });
    expect(moved(tile(0, 0, 4, 2), -1, -1)).toMatchObject({ x: 0, y: 0 });
    expect(moved(tile(3, 5, 4, 2), 2, -2)).toMatchObject({ x: 5, y: 3, w: 4, h: 2 });
    expect(resized(tile(9, 0, 3, 2), 1, 0)).toMatchObject({ w: 3 });
    expect(resized(tile(0, 0, 1, 1), -1, -1)).toMatchObject({ w: 1, h: 1 });
    expect(resized(tile(0, 0, 6, 20), 2, 1)).toMatchObject({ w: 8, h: 20 });
  });

  it('orders tiles top to bottom, then left to right, keeping their indexes', () => {
    const tiles = [tile(6, 4, 6, 2, 'b'), tile(0, 4, 6, 2, 'a'), tile(0, 0, 12, 4, 'top')];
    expect(readingOrder(tiles).map((t) => [t.tile.queryId, t.index])).toEqual([['top', 2], ['a', 1], ['b', 0]]);
  });

  it('passes a tile only the shared values its query declares, leaving empty ones to its defaults', () => {
    const shared: QueryParam[] = [
      { name: 'from', type: 'date', default: '2026-01-01' },
      { name: 'platform', type: 'list', default: null, options: ['tmall', 'jd'] },
      { name: 'limit', type: 'number', default: 10 },
    ];
    const values = defaultValues(shared);
    expect(values).toEqual({ from: '2026-01-01', platform: null, limit: 10 });
    const declared: QueryParam[] = [
      { name: 'from', type: 'date', default: '2025-01-01' },
      { name: 'platform', type: 'text', default: 'tmall' },
      { name: 'to', type: 'date', default: '2026-06-30' },
    ];
    expect(valuesFor(declared, values)).toEqual({ from: '2026-01-01' });
    expect(valuesFor(declared, { ...values, platform: "jd' OR 1=1" })).toEqual({ from: '2026-01-01', platform: "jd' OR 1=1" });
  });
});
