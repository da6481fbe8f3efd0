// Types shared with the server. Snapshot and quality shapes come straight from the server
// modules (type-only imports, erased at build time) so the web client cannot drift from them.
export type { Manifest, TableEntry } from '../../server/snapshots/store.ts';
export type { QualityReport, TableQuality, SourceQuality, RejectedSample } from '../../server/snapshots/quality.ts';
export type { TableName } from '../../server/snapshots/schema.ts';
export type { AuditEntry, AuditKind, AuditOutcome, AuditReply } from '../../server/auth/auditContract.ts';

export type Role = 'executive' | 'analyst' | 'risk_owner' | 'admin';

export interface User {
  username: string;
  displayName: string;
  role: Role;
  pii: boolean;
}

export interface Health {
  status: 'ok' | string;
  snapshot: string | null;
  version: string;
}
