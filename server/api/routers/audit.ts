import { adminProcedure, router } from '../trpc';
import { AUDIT_GROUPS, auditListInput, listAuditEvents } from '../../services/audit-log';

/** The audit log of the active workspace. Admins only; exported as CSV by app/api/audit/export. */
export const auditRouter = router({
  list: adminProcedure.input(auditListInput).query(({ ctx, input }) => listAuditEvents(ctx.workspaceId, input)),
  groups: adminProcedure.query(() => AUDIT_GROUPS),
});
