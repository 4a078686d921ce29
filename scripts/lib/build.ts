import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** What `next build` reads; a change to any of these makes the last build stale. */
const SOURCES = ['app', 'components', 'server', 'public', 'next.config.js', 'package-lock.json', 'postcss.config.mjs', 'tsconfig.json'];

/** What the worker bundle is built from (scripts/build-worker.ts). */
const WORKER_SOURCES = ['server', 'worker', 'package-lock.json', 'tsconfig.json', 'scripts/build-worker.ts', 'scripts/web-server.ts'];

/** The production build of the worker, relative to the repository root. */
export const WORKER_BUNDLE = 'dist/worker.mjs';

/** The production web server (scripts/web-server.ts), built with the worker. */
export const WEB_SERVER_BUNDLE = 'dist/web-server.mjs';

/** True when `.next/BUILD_ID` is missing or older than the newest source file. */
export function needsBuild(root: string): boolean {
  return isStale(root, path.join('.next', 'BUILD_ID'), SOURCES);
}

/** True when the worker bundle is missing or older than the newest of its sources. */
export function needsWorkerBuild(root: string): boolean {
  return isStale(root, WORKER_BUNDLE, WORKER_SOURCES);
}

function isStale(root: string, output: string, sources: string[]): boolean {
  const built = mtime(path.join(root, output));
  if (built === 0) return true;
  return sources.some((source) => newestIn(path.join(root, source)) > built);
}

function newestIn(file: string): number {
  let stat;
  try {
    stat = statSync(file);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // catches deleted files
  for (const entry of readdirSync(file)) {
    if (!/\.test\.tsx?$/.test(entry)) newest = Math.max(newest, newestIn(path.join(file, entry)));
  }
  return newest;
}

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
