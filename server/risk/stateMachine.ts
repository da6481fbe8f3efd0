// The alert state machine of server/risk/README.md, one step at a time. Pure: the memory goes in,
// the next memory, state and notifiable transition come out, so the live evaluator, the backtest
// and the editor's preview all walk the same table.
import type { IndicatorInput, IndicatorState, Level, Measurement, StateMemory, TransitionKind } from './contract.ts';
import { ewmaBand, sigmaBand, wilsonInterval } from './statistics.ts';

export type RuleOf = Pick<IndicatorInput, 'direction' | 'warning' | 'critical' | 'clear' | 'minSample' | 'consecutive' | 'statRule' | 'renotifyHours'>;

export interface StepResult {
  memory: StateMemory;
  state: IndicatorState;
  transition: TransitionKind | null;
  /** the level measured on this step (after the statistical gate); ok when there was no value */
  level: Level;
}

/** Values kept for the ewma / sigma3 bands. */
const HISTORY = 60;
/** The bands need this many earlier values before they can confirm a breach. */
const MIN_HISTORY = 14;
const HOUR_MS = 3_600_000;

const RANK: Record<Level, number> = { ok: 0, warning: 1, critical: 2 };
const lesser = (a: Level, b: Level): Level => (RANK[a] <= RANK[b] ? a : b);

export function initialMemory(): StateMemory {
  return { level: 'ok', breachStreak: 0, breachLevel: 'ok', clearStreak: 0, lastNotifiedAt: null, alertId: null, history: [] };
}

/** Whether `value` is at or past `threshold` on the bad side. */
function past(rule: RuleOf, value: number, threshold: number): boolean {
  return rule.direction === 'higher_is_worse' ? value >= threshold : value <= threshold;
}

/** Leaving an alert needs the value strictly on the good side of `clear`. */
function pastClear(rule: RuleOf, value: number): boolean {
  return rule.direction === 'higher_is_worse' ? value < rule.clear : value > rule.clear;
}

/** The sample a minimum applies to: the denominator (a rate's, or a change's base); a plain count has none. */
function sufficient(m: Measurement, rule: RuleOf): boolean {
  return m.denominator === undefined || m.denominator >= rule.minSample;
}

/**
 * The value compared with the thresholds. Under `wilson` a rate is judged by its interval's
 * bound on the good side, so it breaches only when even the optimistic reading is past the
 * threshold — small samples do not fire.
 */
function judgedValue(m: Measurement & { value: number }, rule: RuleOf): number {
  if (rule.statRule !== 'wilson' || m.numerator === undefined || !m.denominator) return m.value;
  const interval = wilsonInterval(m.numerator, m.denominator);
  return rule.direction === 'higher_is_worse' ? interval.low : interval.high;
}

/** Under `ewma` / `sigma3` a breach also needs the value outside the history's band on the bad side. */
function outsideBand(value: number, history: readonly number[], rule: RuleOf): boolean {
  if (rule.statRule !== 'ewma' && rule.statRule !== 'sigma3') return true;
  // too short a history cannot tell an anomaly from the indicator's normal spread
  if (history.length < MIN_HISTORY) return false;
  const band = rule.statRule === 'ewma' ? ewmaBand(history) : sigmaBand(history);
  if (!band) return false;
  return rule.direction === 'higher_is_worse' ? value > band.high : value < band.low;
}

/** The measured level of a value: thresholds on the judged value, then the band gate. */
function measuredLevel(m: Measurement & { value: number }, rule: RuleOf, history: readonly number[]): Level {
  const judged = judgedValue(m, rule);
  const level: Level = past(rule, judged, rule.critical) ? 'critical' : past(rule, judged, rule.warning) ? 'warning' : 'ok';
  return level !== 'ok' && outsideBand(m.value, history, rule) ? level : 'ok';
}

const hasValue = (m: Measurement): m is Measurement & { value: number } => m.value !== null && Number.isFinite(m.value);

/**
 * One step of the table in README.md. An error is a Measurement with `reason` starting
 * "error" (the caller sets it when measuring threw): the state is `error` and the memory kept.
 * With an open alert and no usable value (no data, below the minimum sample) the state is
 * `insufficient_data` and the alert stays as it is: absence of data neither confirms nor clears it.
 * Transitions are reported even when snoozed (the caller sends nothing then); `lastNotifiedAt`
 * moves only for a transition that is notified, i.e. not snoozed — so the re-notify clock of a
 * snoozed alert restarts at its first notification after the snooze.
 */
export function stepState(memory: StateMemory, m: Measurement, rule: RuleOf, opts: { now: string; snoozed: boolean }): StepResult {
  if (isError(m)) return { memory, state: 'error', transition: null, level: 'ok' };
  if (!hasValue(m) || !sufficient(m, rule)) return { memory, state: 'insufficient_data', transition: null, level: 'ok' };

  const level = measuredLevel(m, rule, memory.history);
  const history = [...memory.history, m.value].slice(-HISTORY);
  const notify = (kind: TransitionKind, next: StateMemory, state: IndicatorState): StepResult => ({
    memory: opts.snoozed ? next : { ...next, lastNotifiedAt: opts.now },
    state,
    transition: kind,
    level,
  });

  if (memory.level === 'ok') {
    if (level === 'ok') return { memory: { ...memory, history, breachStreak: 0, breachLevel: 'ok' }, state: 'ok', transition: null, level };
    const breachStreak = memory.breachStreak + 1;
    // the level every step of the streak reached: a single critical day in a run of warnings fires a warning
    const breachLevel = memory.breachStreak === 0 ? level : lesser(memory.breachLevel, level);
    if (breachStreak < rule.consecutive) return { memory: { ...memory, history, breachStreak, breachLevel }, state: 'pending', transition: null, level };
    return notify('breach', { ...memory, history, level: breachLevel, breachStreak: 0, breachLevel: 'ok', clearStreak: 0 }, breachLevel);
  }

  if (memory.level === 'warning' && level === 'critical') {
    return notify('escalation', { ...memory, history, level: 'critical', clearStreak: 0 }, 'critical');
  }
  if (pastClear(rule, m.value)) {
    const clearStreak = memory.clearStreak + 1;
    if (clearStreak < Math.max(2, rule.consecutive)) return { memory: { ...memory, history, clearStreak }, state: 'recovering', transition: null, level };
    return notify('recovery', { ...initialMemory(), history }, 'ok');
  }
  const held: StateMemory = { ...memory, history, clearStreak: 0 };
  const due = memory.lastNotifiedAt === null || Date.parse(opts.now) - Date.parse(memory.lastNotifiedAt) >= rule.renotifyHours * HOUR_MS;
  return due ? notify('renotify', held, memory.level) : { memory: held, state: memory.level, transition: null, level };
}

/** The reason prefix marking a measurement that failed (as opposed to one without data). */
export const ERROR_REASON = 'error: ';

export function isError(m: Measurement): boolean {
  return m.value === null && (m.reason?.startsWith(ERROR_REASON) ?? false);
}
