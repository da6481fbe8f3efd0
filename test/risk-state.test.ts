// The alert state machine (server/risk/README.md): one test per row of the table, hysteresis,
// minimum sample, consecutive count, snooze, re-notify and the statistical gates. Each expected
// state is reasoned out from the rule in the test, never copied from a run.
import { describe, expect, it } from 'vitest';
import type { IndicatorState, Measurement, StateMemory, TransitionKind } from '../server/risk/contract.ts';
import { ERROR_REASON, initialMemory, stepState, type RuleOf } from '../server/risk/stateMachine.ts';
import { ewmaBand, sigmaBand, wilsonInterval } from '../server/risk/statistics.ts';

/** A rate rule: warning at 10 %, critical at 20 %, clear below 5 %; no sample minimum. */
const RULE: RuleOf = { direction: 'higher_is_worse', warning: 0.1, critical: 0.2, clear: 0.05, minSample: 0, consecutive: 1, statRule: 'none', renotifyHours: 24 };

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();
const v = (value: number): Measurement => ({ value });

interface Walked {
  memory: StateMemory;
  states: IndicatorState[];
  transitions: (TransitionKind | null)[];
}

/** Steps a day apart from `memory`; snoozed steps are given by index. */
function walk(values: Measurement[], rule: RuleOf = RULE, opts: { memory?: StateMemory; snoozed?: number[]; hoursApart?: number } = {}): Walked {
  let memory = opts.memory ?? initialMemory();
  const states: IndicatorState[] = [];
  const transitions: (TransitionKind | null)[] = [];
  values.forEach((m, i) => {
    const step = stepState(memory, m, rule, { now: at(i * (opts.hoursApart ?? 24)), snoozed: opts.snoozed?.includes(i) ?? false });
    memory = step.memory;
    states.push(step.state);
    transitions.push(step.transition);
  });
  return { memory, states, transitions };
}

describe('the state table, row by row', () => {
  it('ok + no value or below minSample ⇒ insufficient_data, streaks kept', () => {
    const rule = { ...RULE, minSample: 100, consecutive: 2 };
    // one breaching step (streak 1), then a thin sample, then a breaching one: the streak reaches 2
    const r = walk([{ value: 0.15, numerator: 15, denominator: 100 }, { value: 0.5, numerator: 1, denominator: 2 }, { value: null, reason: 'no orders' }, { value: 0.15, numerator: 15, denominator: 100 }], rule);
    expect(r.states).toEqual(['pending', 'insufficient_data', 'insufficient_data', 'warning']);
    expect(r.transitions).toEqual([null, null, null, 'breach']);
  });

  it('ok + ok ⇒ ok, nothing sent', () => {
    const r = walk([v(0.01), v(0.09)]);
    expect(r.states).toEqual(['ok', 'ok']);
    expect(r.transitions).toEqual([null, null]);
  });

  it('ok + breaching with streak below consecutive ⇒ pending', () => {
    const r = walk([v(0.12), v(0.13)], { ...RULE, consecutive: 3 });
    expect(r.states).toEqual(['pending', 'pending']);
    expect(r.memory.breachStreak).toBe(2);
    expect(r.memory.level).toBe('ok');
  });

  it('ok + breaching with streak reaching consecutive ⇒ warning or critical, a breach', () => {
    expect(walk([v(0.1)]).states).toEqual(['warning']); // at the threshold counts as past it
    const critical = walk([v(0.25)]);
    expect(critical.states).toEqual(['critical']);
    expect(critical.transitions).toEqual(['breach']);
    expect(critical.memory.level).toBe('critical');
  });

  it('warning + critical ⇒ critical, an escalation', () => {
    const r = walk([v(0.12), v(0.21)]);
    expect(r.states).toEqual(['warning', 'critical']);
    expect(r.transitions).toEqual(['breach', 'escalation']);
  });

  it('warning/critical + not past clear ⇒ unchanged, no message before renotifyHours', () => {
    // 0.07 is below the warning threshold but not below clear: the alert holds (hysteresis)
    const r = walk([v(0.25), v(0.07), v(0.12)], { ...RULE, renotifyHours: 72 });
    expect(r.states).toEqual(['critical', 'critical', 'critical']);
    expect(r.transitions).toEqual(['breach', null, null]);
  });

  it('warning/critical + past clear ⇒ recovering, then ok with a recovery after max(2, consecutive) clear steps', () => {
    const r = walk([v(0.12), v(0.01), v(0.02)]);
    expect(r.states).toEqual(['warning', 'recovering', 'ok']);
    expect(r.transitions).toEqual(['breach', null, 'recovery']);
    expect(r.memory.level).toBe('ok');
    // consecutive 3 ⇒ three steps past clear
    const slow = walk([v(0.12), v(0.12), v(0.12), v(0.01), v(0.01), v(0.01)], { ...RULE, consecutive: 3, renotifyHours: 240 });
    expect(slow.states).toEqual(['pending', 'pending', 'warning', 'recovering', 'recovering', 'ok']);
    expect(slow.transitions[5]).toBe('recovery');
  });

  it('recovering + not past clear ⇒ back to the alert level, clear streak reset, same alert', () => {
    const r = walk([v(0.25), v(0.01), v(0.06), v(0.01), v(0.01)], { ...RULE, renotifyHours: 240 });
    expect(r.states).toEqual(['critical', 'recovering', 'critical', 'recovering', 'ok']);
    expect(r.transitions).toEqual(['breach', null, null, null, 'recovery']);
  });

  it('any + error while measuring ⇒ error, memory kept', () => {
    const before = walk([v(0.12)]).memory;
    const step = stepState(before, { value: null, reason: `${ERROR_REASON}disk full` }, RULE, { now: at(24), snoozed: false });
    expect(step.state).toBe('error');
    expect(step.transition).toBeNull();
    expect(step.memory).toEqual(before);
  });

  it('an open alert without a usable value keeps the alert and says insufficient_data', () => {
    const before = walk([v(0.12)]).memory;
    const step = stepState(before, { value: null, reason: 'no orders' }, RULE, { now: at(24), snoozed: false });
    expect(step.state).toBe('insufficient_data');
    expect(step.memory.level).toBe('warning');
  });
});

describe('hysteresis, minimum sample, consecutive count', () => {
  it('a value between clear and warning keeps the alert; only past clear starts recovering', () => {
    const r = walk([v(0.15), v(0.09), v(0.06), v(0.05), v(0.049)], { ...RULE, renotifyHours: 240 });
    // 0.05 equals clear: not past it (strictly below is needed), so still warning
    expect(r.states).toEqual(['warning', 'warning', 'warning', 'warning', 'recovering']);
  });

  it('lower_is_worse mirrors every comparison', () => {
    const rule: RuleOf = { ...RULE, direction: 'lower_is_worse', warning: -0.25, critical: -0.4, clear: -0.1, renotifyHours: 240 };
    const r = walk([v(-0.2), v(-0.3), v(-0.45), v(-0.2), v(-0.05), v(0.1)], rule);
    expect(r.states).toEqual(['ok', 'warning', 'critical', 'critical', 'recovering', 'ok']);
  });

  it('below the minimum sample it is never a breach, however bad the value', () => {
    const rule = { ...RULE, minSample: 50 };
    const r = walk([{ value: 1, numerator: 3, denominator: 3 }, { value: 0.9, numerator: 45, denominator: 49 }], rule);
    expect(r.states).toEqual(['insufficient_data', 'insufficient_data']);
    expect(r.transitions).toEqual([null, null]);
    expect(walk([{ value: 0.9, numerator: 45, denominator: 50 }], rule).states).toEqual(['critical']);
  });

  it('consecutive: pending until the streak is long enough; a good step resets it', () => {
    const rule = { ...RULE, consecutive: 2 };
    expect(walk([v(0.12), v(0.01), v(0.12), v(0.12)], rule).states).toEqual(['pending', 'ok', 'pending', 'warning']);
  });

  it('the level fired is the one the whole streak reached', () => {
    // warning then critical with consecutive 2: both steps reached warning, only one critical
    const r = walk([v(0.12), v(0.25), v(0.25)], { ...RULE, consecutive: 2 });
    expect(r.states).toEqual(['pending', 'warning', 'critical']);
    expect(r.transitions).toEqual([null, 'breach', 'escalation']);
  });
});

describe('snooze and re-notify', () => {
  it('a snoozed scope still changes state and reports the transition, but its notification clock does not move', () => {
    const r = walk([v(0.12), v(0.25)], RULE, { snoozed: [0, 1] });
    expect(r.states).toEqual(['warning', 'critical']);
    expect(r.transitions).toEqual(['breach', 'escalation']);
    expect(r.memory.lastNotifiedAt).toBeNull();
    const notified = walk([v(0.12)]);
    expect(notified.memory.lastNotifiedAt).toBe(at(0));
  });

  it('re-notifies once renotifyHours have passed since the last notification, not before', () => {
    // steps 6 hours apart, renotify every 24 h: the breach at 0 h, a renotify at 24 h and 48 h
    const r = walk(Array.from({ length: 9 }, () => v(0.12)), { ...RULE, renotifyHours: 24 }, { hoursApart: 6 });
    expect(r.transitions).toEqual(['breach', null, null, null, 'renotify', null, null, null, 'renotify']);
    expect(r.states.every((s) => s === 'warning')).toBe(true);
    expect(r.memory.lastNotifiedAt).toBe(at(48));
  });
});

describe('statistical gates', () => {
  it('wilson: a small sample over the threshold does not fire, a big one does', () => {
    const rule: RuleOf = { ...RULE, statRule: 'wilson' };
    // 2 of 10 is 20 %, but the interval's lower bound is far below 10 %
    expect(wilsonInterval(2, 10).low).toBeLessThan(0.1);
    expect(walk([{ value: 0.2, numerator: 2, denominator: 10 }], rule).states).toEqual(['ok']);
    // 200 of 1,000: lower bound ≈ 17.6 % ⇒ past warning (10 %), not past critical (20 %)
    const big = wilsonInterval(200, 1000);
    expect(big.low).toBeGreaterThan(0.1);
    expect(big.low).toBeLessThan(0.2);
    expect(walk([{ value: 0.2, numerator: 200, denominator: 1000 }], rule).states).toEqual(['warning']);
  });

  it('the Wilson interval matches the closed form', () => {
    const z = 1.959963984540054;
    const [k, n] = [30, 120];
    const p = k / n;
    const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
    const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
    expect(wilsonInterval(k, n).low).toBeCloseTo(centre - half, 12);
    expect(wilsonInterval(k, n).high).toBeCloseTo(centre + half, 12);
  });

  const steady = Array.from({ length: 20 }, (_, i) => (i % 2 ? 0.11 : 0.13)); // mean 0.12, σ 0.01

  it('sigma3: a value above the thresholds but inside mean ± 3σ of the history does not fire', () => {
    const rule: RuleOf = { ...RULE, statRule: 'sigma3' };
    expect(sigmaBand(steady)).toEqual({ centre: expect.closeTo(0.12, 12), low: expect.closeTo(0.09, 12), high: expect.closeTo(0.15, 12) });
    // the history sits above the warning threshold already: every step before is "pending" under
    // thresholds alone, but the band only lets an anomaly through
    const r = walk([...steady.map(v), v(0.14), v(0.16)], rule);
    expect(r.states.slice(0, 14).every((s) => s === 'ok')).toBe(true); // fewer than 14 values: no band, no breach
    expect(r.states.slice(20)).toEqual(['ok', 'warning']); // 0.14 < 0.15 inside, 0.16 outside
  });

  it('ewma: the band is centred on the weighted mean and ± 3σ·√(λ/(2−λ)) wide', () => {
    const rule: RuleOf = { ...RULE, statRule: 'ewma' };
    let centre = steady[0];
    for (const x of steady.slice(1)) centre = 0.3 * x + 0.7 * centre;
    const half = 3 * 0.01 * Math.sqrt(0.3 / 1.7);
    const band = ewmaBand(steady)!;
    expect(band.centre).toBeCloseTo(centre, 12);
    expect(band.high - band.centre).toBeCloseTo(half, 12);
    const inside = walk([...steady.map(v), v(band.high - 0.001)], rule);
    const outside = walk([...steady.map(v), v(band.high + 0.001)], rule);
    expect(inside.states[20]).toBe('ok');
    expect(outside.states[20]).toBe('warning');
  });
});
