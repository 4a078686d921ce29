import { z } from 'zod';
import { adminProcedure, builderProcedure, router, viewerProcedure } from '../trpc';
import { listRunsAcrossFlows, runExplorerInput } from '../../services/monitoring/run-explorer';
import { getDashboardStats, statsInput } from '../../services/monitoring/stats';
import { getRetentionPolicy, retentionPolicyInput, setRetentionPolicy } from '../../services/monitoring/retention';
import {
  createAlertRule,
  createAlertRuleInput,
  deleteAlertRule,
  listAlertIncidents,
  listAlertRules,
  listIncidentsInput,
  sendTestAlert,
  testAlertInput,
  updateAlertRule,
  updateAlertRuleInput,
} from '../../services/monitoring/alerts';

/**
 * Run history and monitoring. Every procedure acts in ctx.workspaceId; ids in the input (flows,
 * rules, credentials) are looked up within that workspace, so another tenant's ids find nothing.
 * Live updates are not here but in GET /api/runs/stream (server-sent events).
 */
const flowId = z.string().uuid('That is not a valid flow id');

export const monitoringRouter = router({
  /** Runs explorer: every run of the workspace, filtered, searched, keyset-paginated. */
  runs: viewerProcedure.input(runExplorerInput).query(({ ctx, input }) => listRunsAcrossFlows(ctx.workspaceId, input)),
  /** Dashboard numbers for a time range (and optionally one flow). */
  stats: viewerProcedure.input(statsInput).query(({ ctx, input }) => getDashboardStats(ctx.workspaceId, input)),

  /** The retention policy of the workspace (and of a flow, with flowId) and what applies. */
  retention: viewerProcedure
    .input(z.object({ flowId: flowId.nullish() }).strict().default({}))
    .query(({ ctx, input }) => getRetentionPolicy(ctx.workspaceId, input)),
  /** Deleting run data is an admin decision. All fields null removes the policy. */
  setRetention: adminProcedure.input(retentionPolicyInput).mutation(({ ctx, input }) => setRetentionPolicy(ctx.workspaceId, input)),

  alertRules: viewerProcedure
    .input(z.object({ flowId: flowId.optional() }).strict().default({}))
    .query(({ ctx, input }) => listAlertRules(ctx.workspaceId, input)),
  createAlertRule: builderProcedure.input(createAlertRuleInput).mutation(({ ctx, input }) => createAlertRule(ctx.workspaceId, input)),
  updateAlertRule: builderProcedure.input(updateAlertRuleInput).mutation(({ ctx, input }) => updateAlertRule(ctx.workspaceId, input)),
  deleteAlertRule: builderProcedure
    .input(z.object({ id: z.string().uuid('That is not a valid rule id') }).strict())
    .mutation(({ ctx, input }) => deleteAlertRule(ctx.workspaceId, input.id)),
  /** Alert history: incidents, newest first. */
  alertIncidents: viewerProcedure.input(listIncidentsInput).query(({ ctx, input }) => listAlertIncidents(ctx.workspaceId, input)),
  /** Sends a sample notice through a saved rule ({ ruleId }) or unsaved settings ({ delivery }). */
  sendTestAlert: builderProcedure.input(testAlertInput).mutation(({ ctx, input }) => sendTestAlert(ctx.workspaceId, input)),
});
