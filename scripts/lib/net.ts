import net from 'node:net';

/** True when nothing listens on 127.0.0.1:port. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `preferred` if it is free, else a port the OS hands out. */
export async function freePort(preferred: number): Promise<number> {
  if (await isPortFree(preferred)) return preferred;
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on host:port. */
export function canConnect(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Who answers on host:port: a Redis we can use (PONG), nothing at all, or something else
 * (another program, or a Redis that wants a password we do not have).
 */
export function probeRedis(host: string, port: number, timeoutMs = 1000): Promise<'redis' | 'closed' | 'other'> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let connected = false;
    const done = (result: 'redis' | 'closed' | 'other') => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(connected ? 'other' : 'closed'));
    socket.once('connect', () => {
      connected = true;
      socket.write('PING\r\n');
    });
    socket.once('data', (data) => done(data.toString().startsWith('+PONG') ? 'redis' : 'other'));
    socket.once('error', () => done(connected ? 'other' : 'closed'));
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, failed?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = failed?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
