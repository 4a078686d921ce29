import { TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import { crossSiteProblem, isSafeMethod } from '@/server/auth/http';

export const dynamic = 'force-dynamic';

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: ({ resHeaders }) => {
      // CSRF: mutations are authenticated by cookie, so they must come from Muninn's own pages.
      const problem = isSafeMethod(req.method) ? null : crossSiteProblem(req.headers, { strict: true });
      if (problem) throw new TRPCError({ code: 'FORBIDDEN', message: problem });
      return createContext({ headers: req.headers, url: req.url, resHeaders });
    },
  });
}

export { handler as GET, handler as POST };
