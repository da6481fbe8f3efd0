// How long a run took: milliseconds under a second (most runs), else the app's duration format.
import { fmtDuration, fmtNumber, t } from '$lib/i18n.svelte';

export function elapsedText(ms: number): string {
  return ms < 1000 ? t('q.result.ms', { ms: fmtNumber(Math.round(ms)) }) : fmtDuration(ms);
}
