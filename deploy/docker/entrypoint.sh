#!/bin/sh
# Entrypoint of the Muninn image: one image, three roles. `exec` makes node PID 1 so that it gets
# SIGTERM directly (the worker drains on it; Next.js closes its server).
set -eu
cd /app
role="${1:-web}"
[ "$#" -gt 0 ] && shift
case "$role" in
  web)
    exec node /app/web/server.js "$@"
    ;;
  worker)
    # The flag: see WORKER_NODE_ARGS in scripts/build-worker.ts.
    exec node --heap-growing-percent=50 dist/worker.mjs "$@"
    ;;
  migrate)
    exec node --import tsx prisma/migrate.ts deploy "$@"
    ;;
  *)
    # Anything else runs as given, e.g. `docker run … muninn sh`.
    exec "$role" "$@"
    ;;
esac
