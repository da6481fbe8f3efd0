// The customer-segments API's shapes, straight from the server's contract (type-only), plus
// the segment order and colours the Customers page uses.
import type { SegmentId } from '../../../server/segments/contract.ts';

export type {
  CellKey,
  CohortRow,
  CohortsReply,
  CustomerRow,
  CustomerSort,
  CustomersReply,
  MovementReply,
  MovementSegment,
  NewReturningReply,
  RfmReply,
  RulesReply,
  SegmentId,
  SegmentRule,
  SegmentSummary,
  TiersReply,
} from '../../../server/segments/contract.ts';

/** The 11 segments, best first (the server's order). */
export const SEGMENT_LIST = [
  'champions',
  'loyal',
  'potential_loyalist',
  'new',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cant_lose_them',
  'hibernating',
  'lost',
] as const satisfies readonly SegmentId[];

/** Greens for the good, ambers for the watch list, reds for the slipping, greys for the gone. */
export const SEGMENT_COLORS: Record<SegmentId, string> = {
  champions: '#1f6f5c',
  loyal: '#2f8f75',
  potential_loyalist: '#4aa88f',
  new: '#2c5d9e',
  promising: '#5a86c0',
  need_attention: '#c9a227',
  about_to_sleep: '#d98b3a',
  at_risk: '#d1603d',
  cant_lose_them: '#b8323f',
  hibernating: '#8a94a0',
  lost: '#5f6873',
};

export function isSegment(value: string | null): value is SegmentId {
  return !!value && (SEGMENT_LIST as readonly string[]).includes(value);
}

export const WINDOWS = [90, 180, 365, 730] as const;
