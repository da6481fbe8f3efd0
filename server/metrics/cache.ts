// Answers of the KPI, staff and segment engines are cached by kind, snapshot id(s), normalised
// query, the caller's data scope and whatever else the answer depends on (DESIGN.md "Speed"):
// a published snapshot never changes, so an answer stays right for as long as its key does.

/** A bounded least-recently-used map: the oldest unused entries are dropped first. */
export class LruCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      // a Map iterates in insertion order: re-inserting marks the entry as most recently used
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Answers kept per engine; each is a reply object of at most a few hundred rows, so a few hundred cost little memory. */
const ANSWER_ENTRIES = 500;

/** The key of an answer: every part it depends on, in a fixed order (JSON keeps objects' key order). */
export const answerKey = (...parts: unknown[]): string => JSON.stringify(parts);

/** How often answers were found in a cache (a shared in-flight computation counts as a hit) or computed. */
export interface CacheStats {
  hits: number;
  misses: number;
}

/** Over every enabled AnswerCache of the process: the engines keep theirs private, and warm-up is judged across all of them. */
const processStats: CacheStats = { hits: 0, misses: 0 };

/**
 * Promises of answers, so that calls asked together while the first is computing share its work.
 * A disabled cache computes every time (tests and benches compare against it).
 */
export class AnswerCache {
  private readonly entries: LruCache<Promise<unknown>> | undefined;
  private readonly counts: CacheStats = { hits: 0, misses: 0 };

  /** Hits and misses of every enabled cache of the process so far. */
  static totals(): CacheStats {
    return { ...processStats };
  }

  constructor(enabled = true, capacity = ANSWER_ENTRIES) {
    this.entries = enabled ? new LruCache(capacity) : undefined;
  }

  /** The cached answer (the very same object) or a new one; a failed answer is not kept, so the next call retries. */
  answer<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (!this.entries) return compute();
    const hit = this.entries.get(key) as Promise<T> | undefined;
    this.count(hit ? 'hits' : 'misses');
    if (hit) return hit;
    const answer = compute();
    this.entries.set(key, answer);
    answer.catch(() => {
      // a newer answer may have replaced the failed one meanwhile: only the failed one goes
      if (this.entries!.get(key) === answer) this.entries!.delete(key);
    });
    return answer;
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  stats(): CacheStats {
    return { ...this.counts };
  }

  private count(outcome: keyof CacheStats): void {
    this.counts[outcome]++;
    processStats[outcome]++;
  }
}
