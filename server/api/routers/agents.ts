import { z } from 'zod';
import { router, viewerProcedure } from '../trpc';
import { agentCatalog } from '../../services/catalog';

export const agentsRouter = router({
  list: viewerProcedure.query(() => agentCatalog()),
});
export type { z };
