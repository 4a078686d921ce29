import { z } from 'zod';
import { router, viewerProcedure } from '../trpc';
import { agentCatalog, retryPolicyInfo } from '../../services/catalog';

export const agentsRouter = router({
  list: viewerProcedure.query(() => agentCatalog()),
  retryPolicy: viewerProcedure.query(() => retryPolicyInfo()),
});
export type { z };
