// The RFM rule table: which named segment each (R, F, M) score cell belongs to. Rules are data,
// tried in order, the first match wins; a table is only accepted when it covers all 125 cells.
import { SEGMENTS, type CellKey, type SegmentId, type SegmentRule } from './contract.ts';

const r = (min: number, max: number) => ({ min, max });

/** The default table (priority = array order). The last rule is a catch-all. */
export const DEFAULT_RULES: readonly SegmentRule[] = [
  { segment: 'champions', r: r(4, 5), f: r(4, 5), m: r(4, 5) },
  { segment: 'cant_lose_them', r: r(1, 1), f: r(4, 5), m: r(4, 5) },
  { segment: 'at_risk', r: r(1, 2), f: r(3, 5), m: r(1, 5) },
  { segment: 'loyal', r: r(3, 5), f: r(4, 5), m: r(1, 5) },
  { segment: 'potential_loyalist', r: r(4, 5), f: r(2, 3), m: r(1, 5) },
  { segment: 'new', r: r(5, 5), f: r(1, 1), m: r(1, 5) },
  { segment: 'promising', r: r(4, 4), f: r(1, 1), m: r(1, 5) },
  { segment: 'need_attention', r: r(3, 3), f: r(2, 3), m: r(1, 5) },
  { segment: 'about_to_sleep', r: r(3, 3), f: r(1, 1), m: r(1, 5) },
  { segment: 'hibernating', r: r(2, 2), f: r(1, 2), m: r(1, 5) },
  { segment: 'lost', r: r(1, 5), f: r(1, 5), m: r(1, 5) },
];

export const SCORES = [1, 2, 3, 4, 5] as const;

export function cellKey(rs: number, fs: number, ms: number): CellKey {
  return `${rs}${fs}${ms}`;
}

/** Every cell, in R, F, M order: "111", "112", … "555". */
export function allCells(): Array<{ r: number; f: number; m: number; cell: CellKey }> {
  return SCORES.flatMap((rs) => SCORES.flatMap((fs) => SCORES.map((ms) => ({ r: rs, f: fs, m: ms, cell: cellKey(rs, fs, ms) }))));
}

const inside = (range: { min: number; max: number }, v: number) => v >= range.min && v <= range.max;

/** The segment of one cell under `rules`: the first rule that matches, or undefined. */
export function segmentOf(rules: readonly SegmentRule[], rs: number, fs: number, ms: number): SegmentId | undefined {
  return rules.find((rule) => inside(rule.r, rs) && inside(rule.f, fs) && inside(rule.m, ms))?.segment;
}

export class UncoveredCells extends Error {
  constructor(readonly cells: CellKey[]) {
    super(`the rules leave ${cells.length} score cell(s) without a segment: ${cells.slice(0, 10).join(', ')}${cells.length > 10 ? ', …' : ''} (cells are R F M digits)`);
  }
}

/** The cell → segment map of a rule table; throws UncoveredCells when a cell has no rule. */
export function cellMap(rules: readonly SegmentRule[]): Record<CellKey, SegmentId> {
  const map: Record<CellKey, SegmentId> = {};
  const missing: CellKey[] = [];
  for (const { r: rs, f: fs, m: ms, cell } of allCells()) {
    const segment = segmentOf(rules, rs, fs, ms);
    if (segment) map[cell] = segment;
    else missing.push(cell);
  }
  if (missing.length) throw new UncoveredCells(missing);
  return map;
}

/** The cells each segment gets (every segment listed, possibly with no cell). */
export function cellsBySegment(map: Record<CellKey, SegmentId>): Record<SegmentId, CellKey[]> {
  const out = Object.fromEntries(SEGMENTS.map((s) => [s, [] as CellKey[]])) as Record<SegmentId, CellKey[]>;
  for (const [cell, segment] of Object.entries(map)) out[segment].push(cell);
  return out;
}
