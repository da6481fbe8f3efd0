// Fetching KPI answers: a small cache shared by every page (answers for one snapshot never
// change, so going back to a view is instant), and a reactive resource that refetches when the
// URL it depends on changes and ignores answers that arrive after the view moved on.

import { ApiError, get, messageOf } from '$lib/api';

const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 200;

interface Entry {
  at: number;
  promise: Promise<unknown>;
}

const cache = new Map<string, Entry>();
/** bumped when the cache is cleared, so that every resource asks again */
const epoch = $state({ n: 0 });

export function cachedGet<T>(url: string): Promise<T> {
  const hit = cache.get(url);
  if (hit && Date.now() - hit.at < TTL_MS) {
    // most recently used last
    cache.delete(url);
    cache.set(url, hit);
    return hit.promise as Promise<T>;
  }
  const promise = get<T>(url);
  cache.set(url, { at: Date.now(), promise });
  promise.catch(() => cache.delete(url));
  while (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  return promise;
}

export function clearKpiCache(): void {
  cache.clear();
  epoch.n += 1;
}

/** The answer of GET `url()`; `url()` returning null means "nothing to ask yet". */
export class Resource<T> {
  data = $state.raw<T | null>(null);
  /** the URL `data` answers */
  url = $state<string | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  /** the HTTP status of the failure (0: no answer) */
  status = $state<number | null>(null);

  constructor(url: () => string | null) {
    $effect(() => {
      const target = url();
      void epoch.n;
      if (!target) {
        this.loading = false;
        return;
      }
      let stale = false;
      this.loading = true;
      this.error = null;
      this.status = null;
      cachedGet<T>(target).then(
        (data) => {
          if (stale) return;
          this.data = data;
          this.url = target;
          this.loading = false;
        },
        (err: unknown) => {
          if (stale) return;
          this.error = messageOf(err);
          this.status = err instanceof ApiError ? err.status : 0;
          this.loading = false;
        },
      );
      return () => {
        stale = true;
      };
    });
  }

  /** Ask again, bypassing the cache. */
  reload(): void {
    clearKpiCache();
  }
}
