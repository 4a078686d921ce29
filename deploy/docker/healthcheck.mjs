// Docker HEALTHCHECK of the Muninn image (Kubernetes ignores it and uses the chart's probes).
// The role is read from PID 1's command line (the entrypoint execs node): the web app answers on
// $PORT/api/health (Postgres and Redis reachable), the worker on $WORKER_HEALTH_PORT/healthz, and a
// migration container is healthy while it runs. Under an init process (docker run --init) the role
// is unknown and either endpoint will do.
import { readFileSync } from 'node:fs';

const web = `http://127.0.0.1:${process.env.PORT ?? 3000}/api/health`;
const worker = `http://127.0.0.1:${process.env.WORKER_HEALTH_PORT ?? 9464}/healthz`;

async function ok(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
    return res.ok;
  } catch {
    return false;
  }
}

let cmdline = '';
try {
  cmdline = readFileSync('/proc/1/cmdline', 'utf8').replaceAll('\0', ' ');
} catch {
  // not Linux, or /proc hidden
}

let healthy;
if (cmdline.includes('prisma/migrate.ts')) healthy = true;
else if (cmdline.includes('worker/index.ts')) healthy = await ok(worker);
else if (cmdline.includes('server.js')) healthy = await ok(web);
else healthy = (await ok(web)) || (await ok(worker));
process.exit(healthy ? 0 : 1);
