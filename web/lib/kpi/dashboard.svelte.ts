// What every KPI page shares: the view read from the URL, the KPI catalog of the snapshot it
// shows, the period resolved against that snapshot's as-of date, and URL updates.

import { goto } from '$app/navigation';
import { page } from '$app/state';
import { snapshots } from '$lib/session.svelte';
import { Resource, clearKpiCache } from './api.svelte';
import type { CatalogReply, KpiDefinitionInfo } from './types';
import { parseView, resolveRange, viewSearch, withParams, type DateRange, type ParamChanges, type View } from './view';

export class Dashboard {
  readonly view: View = $derived(parseView(page.url.searchParams));
  readonly catalogRes: Resource<CatalogReply>;
  readonly catalog: CatalogReply | null = $derived.by(() => this.catalogRes.data);
  readonly defs: Map<string, KpiDefinitionInfo> = $derived(new Map((this.catalog?.kpis ?? []).map((k) => [k.id, k])));
  readonly range: DateRange | null = $derived.by(() => {
    const snap = this.catalog?.snapshot;
    return snap ? resolveRange(this.view, snap.asOf, snap.minDate) : null;
  });
  /** the view's own query string, for links to other KPI pages */
  readonly search: string = $derived(viewSearch(page.url.searchParams));

  constructor() {
    this.catalogRes = new Resource<CatalogReply>(() => {
      const snapshot = this.view.snapshot;
      return `/api/kpis/catalog${snapshot ? `?snapshot=${encodeURIComponent(snapshot)}` : ''}`;
    });
  }

  /** KPI ids of `wanted` that this snapshot's catalog knows, in that order. */
  known(wanted: readonly string[]): string[] {
    return wanted.filter((id) => this.defs.has(id));
  }

  /**
   * Applies query-string changes as a new history entry (so Back undoes them). A new period
   * drops a chosen grain, which may not suit the new length.
   */
  update(changes: ParamChanges, opts: { replace?: boolean } = {}): Promise<void> {
    const next = { ...changes };
    if (('range' in next || 'from' in next || 'to' in next) && !('grain' in next)) next.grain = null;
    const url = page.url.pathname + withParams(page.url.searchParams, next);
    return goto(url, { replaceState: opts.replace ?? false, noScroll: true, keepFocus: true });
  }

  /** Asks the server again for everything on the page (and for the newest snapshot). */
  refresh(): void {
    clearKpiCache();
    void snapshots.load();
  }
}
