// A list the side panels fetch and fetch again (saved queries, run history): the last answer,
// the error to show, and whether a fetch is under way. Not cached: these lists change with
// every save and run.
import { messageOf } from '$lib/api';

export class Loaded<T> {
  value = $state.raw<T | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  /** answers to an older request that arrive after a newer one are dropped */
  #asked = 0;

  async load(fetch: () => Promise<T>): Promise<void> {
    const ask = ++this.#asked;
    this.loading = true;
    try {
      const value = await fetch();
      if (ask !== this.#asked) return;
      this.value = value;
      this.error = null;
    } catch (err) {
      if (ask === this.#asked) this.error = messageOf(err);
    } finally {
      if (ask === this.#asked) this.loading = false;
    }
  }
}
