// The statistical gates of server/risk/README.md as pure functions: the Wilson score interval
// of a rate, and the two bands an indicator's own history draws (EWMA and mean ± 3σ).

/** z of a two-sided 95 % interval. */
const Z95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/**
 * The Wilson score interval of `successes` out of `trials` at 95 %. Unlike the normal
 * approximation it stays inside [0, 1] and widens properly for small samples, which is why a
 * handful of complaints on a few orders does not look like a certain breach.
 */
export function wilsonInterval(successes: number, trials: number): Interval {
  if (trials <= 0) return { low: 0, high: 1 };
  const p = successes / trials;
  const z2 = Z95 * Z95;
  const denom = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denom;
  const half = (Z95 * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denom;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface Band {
  centre: number;
  low: number;
  high: number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Population standard deviation: the band describes the history itself, not a sample of it. */
function stdDev(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length);
}

/** mean ± 3σ of the history; null without any value. */
export function sigmaBand(history: readonly number[], k = 3): Band | null {
  if (!history.length) return null;
  const centre = mean(history);
  const sd = stdDev(history);
  return { centre, low: centre - k * sd, high: centre + k * sd };
}

/**
 * The EWMA control band: the exponentially weighted mean of the history (λ = 0.3, seeded with
 * the first value) ± 3σ·√(λ / (2 − λ)), the asymptotic width of an EWMA chart, with σ the
 * history's standard deviation. Recent values weigh more, so a slow drift moves the centre.
 */
export function ewmaBand(history: readonly number[], lambda = 0.3, k = 3): Band | null {
  if (!history.length) return null;
  let centre = history[0];
  for (const x of history.slice(1)) centre = lambda * x + (1 - lambda) * centre;
  const half = k * stdDev(history) * Math.sqrt(lambda / (2 - lambda));
  return { centre, low: centre - half, high: centre + half };
}
