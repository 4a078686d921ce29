// The production web server of `npm start` (and of the benchmark): Next.js behind a plain Node
// HTTP server that answers webhooks itself (server/ingress/webhook-listener.ts) and hands every
// other request to Next.js — Next's documented custom-server setup. PORT as for `next start`;
// MUNINN_WEB_HOSTNAME (default 0.0.0.0; not HOSTNAME, which shells and containers set to the
// machine's name). `npm run dev` keeps `next dev`; the container image keeps Next's standalone
// server, where webhooks go through the equivalent route handler.
import { createServer } from 'node:http';
import path from 'node:path';
import next from 'next';
import { handleWebhookRequest, isWebhookRequest } from '@/server/ingress/webhook-listener';

const root = path.resolve(import.meta.dirname, '..');
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.MUNINN_WEB_HOSTNAME ?? '0.0.0.0';

const app = next({ dev: false, dir: root, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  if (isWebhookRequest(req)) {
    handleWebhookRequest(req, res).catch((e: Error) => {
      console.error(`[web] webhook: ${e.message}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
    return;
  }
  void handle(req, res);
});
// Longer than typical load balancers' idle timeout, so they never reuse a connection we just closed.
server.keepAliveTimeout = 65_000;
server.listen(port, hostname, () => console.log(`▲ Muninn web on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`));

function stop(): void {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
