import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** What `next build` reads; a change to any of these makes the last build stale. */
const SOURCES = ['app', 'components', 'server', 'public', 'next.config.js', 'package-lock.json', 'postcss.config.mjs', 'tsconfig.json'];

/** True when `.next/BUILD_ID` is missing or older than the newest source file. */
export function needsBuild(root: string): boolean {
  const built = mtime(path.join(root, '.next', 'BUILD_ID'));
  if (built === 0) return true;
  return SOURCES.some((source) => newestIn(path.join(root, source)) > built);
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
