// The audit log's shapes, shared by the server and the Admin page.
import { z } from 'zod';

export const AUDIT_KINDS = ['sign_in', 'sign_in_failed', 'write', 'query', 'export', 'email'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export const AUDIT_OUTCOMES = ['ok', 'refused', 'error'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** What a caller records; the time is taken when the row is written. */
export interface AuditEvent {
  username: string | null;
  source: string | null;
  kind: AuditKind;
  action: string;
  target: string | null;
  outcome: AuditOutcome;
  status: number | null;
  detail: Record<string, unknown>;
}

export interface AuditEntry extends AuditEvent {
  id: number;
  at: string;
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** The Admin page's filters; `from` and `to` are whole UTC days, both included. */
export const AuditQuery = z.object({
  kind: z.enum(AUDIT_KINDS).optional(),
  username: z.string().trim().min(1).max(100).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  from: day.optional(),
  to: day.optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type AuditFilter = z.infer<typeof AuditQuery>;

export interface AuditReply {
  entries: AuditEntry[];
  /** rows matching the filters, for paging */
  total: number;
}
