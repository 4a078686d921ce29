import { router, createCallerFactory } from './trpc';
import { agentsRouter } from './routers/agents';
import { credentialsRouter } from './routers/credentials';
import { flowsRouter } from './routers/flows';
import { runsRouter } from './routers/runs';
import { templatesRouter } from './routers/templates';

export const appRouter = router({
  agents: agentsRouter,
  credentials: credentialsRouter,
  flows: flowsRouter,
  runs: runsRouter,
  templates: templatesRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
