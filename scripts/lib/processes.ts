import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import readline from 'node:readline';

export type Managed = {
  name: string;
  child: ChildProcess;
  /** Set once the process has exited: its exit code, or the signal that ended it. */
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  exited: Promise<void>;
  /** Sends `signal`, waits up to `timeoutMs`, then SIGKILLs. Resolves once the process is gone. */
  stop: (signal?: NodeJS.Signals, timeoutMs?: number) => Promise<void>;
};

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const colors: Record<string, string> = { web: '36', worker: '35', build: '33', launcher: '32' };

/** Prints `[name] message`, the way every line of the launcher's output starts. */
export function say(name: string, message: string): void {
  const tag = useColor ? `\x1b[${colors[name] ?? '90'}m[${name}]\x1b[0m` : `[${name}]`;
  for (const line of message.split('\n')) process.stdout.write(`${tag} ${line}\n`);
}

/**
 * Starts an app process whose output is shown with a `[name]` prefix. It runs in its own
 * process group (detached), so a Ctrl-C in the terminal reaches only the launcher, which then
 * stops everything in order: apps first, databases last.
 */
export function startApp(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Managed {
  const managed = manage(name, spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
  const own = new RegExp(`^\\[${name}\\] ?`);
  for (const stream of [managed.child.stdout, managed.child.stderr]) {
    // Apps that already tag their lines with `[name]` do not get it twice.
    if (stream) readline.createInterface({ input: stream }).on('line', (line) => say(name, line.replace(own, '')));
  }
  return managed;
}

/**
 * Starts a database server with its output appended to `logFile`; detached for the same reason
 * as startApp, and so that it outlives the apps while they shut down.
 */
export function startDaemon(name: string, command: string, args: string[], logFile: string, options: SpawnOptions = {}): Managed {
  const fd = openSync(logFile, 'a');
  try {
    return manage(name, spawn(command, args, { ...options, stdio: ['ignore', fd, fd], detached: true }));
  } finally {
    closeSync(fd); // the child has its own copy
  }
}

function manage(name: string, child: ChildProcess): Managed {
  const managed: Managed = {
    name,
    child,
    exited: new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        managed.exit = { code, signal };
        resolve();
      });
      child.once('error', (err) => {
        say('launcher', `could not start ${name}: ${err.message}`);
        managed.exit = { code: 127, signal: null };
        resolve();
      });
    }),
    // The signal goes to the process we started, which relays it as it sees fit (tsx, next);
    // the SIGKILL after the timeout and the final sweep go to its whole process group.
    stop: async (signal = 'SIGTERM', timeoutMs = 30_000) => {
      if (!managed.exit) {
        child.kill(signal);
        const timer = setTimeout(() => {
          say('launcher', `${name} did not stop within ${timeoutMs / 1000} s; killing it`);
          killGroup(child, 'SIGKILL');
        }, timeoutMs);
        await managed.exited;
        clearTimeout(timer);
      }
      killGroup(child, 'SIGTERM'); // leftovers of a process that died first
    },
  };
  return managed;
}

/** Signals every process of a detached child's group; quiet when none is left. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
