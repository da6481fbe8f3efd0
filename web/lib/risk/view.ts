// What a table card shows for a resource: skeletons only on the first load (a refresh keeps the
// rows and marks the card busy), the server's error with a retry, the empty state.
import type { Resource } from '$lib/kpi/api.svelte';

export function tableState<T>(res: Resource<T>, isEmpty: (data: T) => boolean) {
  return {
    loading: !res.data && res.loading,
    busy: res.loading,
    error: res.error,
    onRetry: () => res.reload(),
    empty: res.data ? isEmpty(res.data) : false,
  };
}
