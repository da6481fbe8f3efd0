// The backtest: indicators replayed day by day over one snapshot, listing every notifiable
// transition (breach, escalation, recovery). It is how the built-in defaults were tuned, and
// `vigil evaluate --backtest` prints it. Freshness and ingest rejection describe the present
// snapshot, not its days, so they have no past to replay and are left out.
import { formatValue } from '../metrics/format.ts';
import { textTable } from '../cli/snapshots.ts';
import type { IndicatorInput, IndicatorState, IndicatorWithState, TransitionKind } from './contract.ts';
import { measureSteps, type MeasureDeps } from './measure.ts';
import { replay } from './replay.ts';

export interface BacktestRow {
  indicatorId: string;
  scope: string;
  scopeLabel: string;
  date: string;
  from: IndicatorState;
  to: IndicatorState;
  kind: TransitionKind;
  value: number | null;
  numerator?: number;
  denominator?: number;
  unit: IndicatorWithState['unit'];
}

const REPLAYABLE: readonly IndicatorInput['source'][] = ['kpi'];

export async function backtest(deps: MeasureDeps, indicators: readonly IndicatorInput[], range: { snapshotId?: string; from: string; to: string }): Promise<BacktestRow[]> {
  const rows: BacktestRow[] = [];
  for (const indicator of indicators.filter((i) => REPLAYABLE.includes(i.source))) {
    const measured = await measureSteps(deps, indicator, range);
    const reply = replay(indicator, measured, { maxScopes: Number.POSITIVE_INFINITY });
    const points = new Map(reply.series.map((s) => [s.scope, new Map(s.points.map((p) => [p.date, p]))]));
    for (const t of reply.transitions) {
      if (!t.kind) continue;
      const p = points.get(t.scope)?.get(t.date);
      rows.push({
        indicatorId: indicator.id, scope: t.scope, scopeLabel: t.scopeLabel, date: t.date, from: t.from, to: t.to, kind: t.kind, value: t.value,
        ...(p?.numerator === undefined ? {} : { numerator: p.numerator }),
        ...(p?.denominator === undefined ? {} : { denominator: p.denominator }),
        unit: reply.unit,
      });
    }
  }
  return rows.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.indicatorId < b.indicatorId ? -1 : a.indicatorId > b.indicatorId ? 1 : 0));
}

/** Relative changes are fractions whatever the KPI's unit; `hours` has no KPI formatter. */
function formatted(row: BacktestRow): string {
  if (row.value === null) return '–';
  if (row.unit === 'hours') return `${row.value.toFixed(1)} h`;
  return formatValue(row.unit, row.value);
}

/** One aligned line per transition: date, indicator, scope, from → to, value. */
export function formatBacktest(rows: readonly BacktestRow[]): string {
  if (!rows.length) return 'no transitions\n';
  return textTable(
    ['date', 'indicator', 'scope', 'transition', 'value'],
    rows.map((r) => [r.date, r.indicatorId, r.scopeLabel === r.scope || !r.scope ? r.scopeLabel : `${r.scopeLabel} (${r.scope})`, `${r.from} → ${r.to} (${r.kind})`, formatted(r)]),
    [4],
  );
}
