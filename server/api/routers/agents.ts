import { z } from 'zod';
import { router, workspaceProcedure } from '../trpc';
import { agentCatalog } from '../../services/catalog';

export const agentsRouter = router({
  list: workspaceProcedure.query(() => agentCatalog()),
});
export type { z };
