// Walks measured steps through the state machine from a fresh memory: the editor's preview, the
// history charts and the backtest all see an indicator's past exactly as live evaluations would
// have judged it day by day.
import type { IndicatorInput, IndicatorSeries, IndicatorSeriesReply, IndicatorState } from './contract.ts';
import type { MeasuredScopes } from './measure.ts';
import { initialMemory, stepState, type RuleOf } from './stateMachine.ts';

export type ReplayIndicator = RuleOf & Pick<IndicatorInput, 'id'>;

export interface ReplayOptions {
  /** scopes kept, worst first (default 12) */
  maxScopes?: number;
}

const DEFAULT_MAX_SCOPES = 12;

/** How bad a state is, for sorting scopes worst first. */
const SEVERITY: Record<IndicatorState, number> = { critical: 6, warning: 5, recovering: 4, pending: 3, error: 2, insufficient_data: 1, ok: 0 };

type Transitions = IndicatorSeriesReply['transitions'];

function replayScope(indicator: ReplayIndicator, scope: MeasuredScopes['scopes'][number]): { series: IndicatorSeries; transitions: Transitions } {
  let memory = initialMemory();
  let previous: IndicatorState = 'ok';
  const transitions: Transitions = [];
  const points = scope.points.map(({ date, m }) => {
    // a day's evaluation happens at the start of the next day, when the day is complete
    const step = stepState(memory, m, indicator, { now: `${date}T00:00:00.000Z`, snoozed: false });
    memory = step.memory;
    const kind = step.transition === 'renotify' ? null : step.transition;
    if (step.state !== previous || kind) transitions.push({ date, scope: scope.scope, scopeLabel: scope.scopeLabel, from: previous, to: step.state, kind, value: m.value });
    previous = step.state;
    return { date, value: m.value, ...(m.numerator === undefined ? {} : { numerator: m.numerator }), ...(m.denominator === undefined ? {} : { denominator: m.denominator }), state: step.state };
  });
  return { series: { scope: scope.scope, scopeLabel: scope.scopeLabel, points }, transitions };
}

/** Worst over the range first, then worst now, then by scope key. */
function worstFirst(a: IndicatorSeries, b: IndicatorSeries): number {
  const worst = (s: IndicatorSeries) => Math.max(0, ...s.points.map((p) => SEVERITY[p.state]));
  const last = (s: IndicatorSeries) => SEVERITY[s.points[s.points.length - 1]?.state ?? 'ok'];
  return worst(b) - worst(a) || last(b) - last(a) || (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0);
}

export function replay(indicator: ReplayIndicator, measured: MeasuredScopes, opts: ReplayOptions = {}): IndicatorSeriesReply {
  const replayed = measured.scopes.map((s) => replayScope(indicator, s));
  const series = replayed.map((r) => r.series).sort(worstFirst).slice(0, opts.maxScopes ?? DEFAULT_MAX_SCOPES);
  const kept = new Set(series.map((s) => s.scope));
  const dates = measured.scopes.flatMap((s) => s.points.map((p) => p.date)).sort();
  return {
    indicatorId: indicator.id,
    snapshot: measured.snapshot,
    from: dates[0] ?? measured.snapshot.asOf,
    to: dates[dates.length - 1] ?? measured.snapshot.asOf,
    thresholds: { warning: indicator.warning, critical: indicator.critical, clear: indicator.clear },
    direction: indicator.direction,
    unit: measured.unit,
    series,
    transitions: replayed.flatMap((r) => r.transitions).filter((t) => kept.has(t.scope)).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)),
  };
}
