import { apiRoute, json } from '@/server/api/rest';
import { getTemplate } from '@/server/services/templates';

export const dynamic = 'force-dynamic';

/** One template: description, graph (with placeholders), credentials and inputs it needs, versions. */
export const GET = apiRoute<{ slug: string }>(async (_req, auth, { slug }) => json(await getTemplate(auth.workspaceId, slug)));
