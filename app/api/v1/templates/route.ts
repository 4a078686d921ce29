import { apiRoute, json } from '@/server/api/rest';
import { AppError } from '@/server/errors';
import { listTemplates, listTemplatesInput } from '@/server/services/templates';

export const dynamic = 'force-dynamic';

/** List templates: ?search=&category=&tag=&sort=popular|new|name */
export const GET = apiRoute<Record<string, never>>(async (req, auth) => {
  const params = Object.fromEntries(new URL(req.url).searchParams);
  const parsed = listTemplatesInput.safeParse(params);
  if (!parsed.success) throw new AppError('VALIDATION', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return json(await listTemplates(auth.workspaceId, parsed.data));
});
