import { router, createCallerFactory } from './trpc';
import { accountRouter } from './routers/account';
import { agentsRouter } from './routers/agents';
import { auditRouter } from './routers/audit';
import { credentialsRouter } from './routers/credentials';
import { flowsRouter } from './routers/flows';
import { monitoringRouter } from './routers/monitoring';
import { runsRouter } from './routers/runs';
import { templatesRouter } from './routers/templates';
import { tokensRouter } from './routers/tokens';
import { workspacesRouter } from './routers/workspaces';

export const appRouter = router({
  account: accountRouter,
  agents: agentsRouter,
  audit: auditRouter,
  credentials: credentialsRouter,
  flows: flowsRouter,
  monitoring: monitoringRouter,
  runs: runsRouter,
  templates: templatesRouter,
  tokens: tokensRouter,
  workspaces: workspacesRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
