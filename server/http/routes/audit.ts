import type { FastifyInstance } from 'fastify';
import { auditCsv, listAudit } from '../../auth/audit.ts';
import { AuditQuery, type AuditReply } from '../../auth/auditContract.ts';
import type { AppContext } from '../context.ts';
import { addRoute } from '../route.ts';

const CSV_MAX_ROWS = 100_000;

// Read-only on purpose: the audit log has no route that changes or deletes a row.
export function auditRoutes(app: FastifyInstance, ctx: AppContext): void {
  addRoute(app, {
    method: 'GET',
    url: '/api/admin/audit',
    access: ['admin'],
    query: AuditQuery,
    handler: ({ query }): Promise<AuditReply> => listAudit(ctx.db, query),
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/admin/audit.csv',
    access: ['admin'],
    query: AuditQuery,
    handler: async ({ query, reply }) => {
      // the export is every matching row, not the page on screen
      const { entries } = await listAudit(ctx.db, { ...query, limit: CSV_MAX_ROWS, offset: 0 });
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit-log.csv"').send(auditCsv(entries));
    },
  });
}
