// The notes above the staff figures: the server's, and how far the complaint figures reach, said in the reader's language.
import { fmtNumber, t } from '$lib/i18n.svelte';
import type { StaffPerformanceReply } from './types';

/**
 * Complaints record no handler: an agent is credited through the customer's inquiries, so the page
 * says how many of the period's resolved complaints that rule reaches.
 */
export function staffNotes(notes: string[], coverage: StaffPerformanceReply['complaint_coverage']): string[] {
  if (!coverage?.resolved) return notes;
  return [...notes, t('staff.complaintCoverage', { n: fmtNumber(coverage.attributed), total: fmtNumber(coverage.resolved) })];
}
