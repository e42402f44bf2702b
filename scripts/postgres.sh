#!/usr/bin/env bash
# Starts a throw-away PostgreSQL on 127.0.0.1 for tests (installing Debian's package if it is
# missing), then prints its admin URL on stdout. Re-runnable: an already running server is reused.
#   PGPORT (55432) and PGDATA (/tmp/px-postgres-<port>: one server per port, shared by checkouts)
#   choose where. Needs root (apt-get, su postgres).
set -euo pipefail
PGPORT=${PGPORT:-55432}
PGDATA=${PGDATA:-/tmp/px-postgres-$PGPORT}
{
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql
  fi
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  mkdir -p "$(dirname "$PGDATA")"
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    rm -rf "$PGDATA" && mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA"
    su postgres -c "$PGBIN/initdb -D '$PGDATA' -U postgres --auth=trust -E UTF8" >/dev/null
  fi
  if ! su postgres -c "$PGBIN/pg_ctl -D '$PGDATA' status" >/dev/null 2>&1; then
    # fsync stays on: the crash tests on PostgreSQL rely on it like a deployment would.
    su postgres -c "$PGBIN/pg_ctl -D '$PGDATA' -l '$PGDATA/server.log' -w -t 60 \
      -o \"-c listen_addresses=127.0.0.1 -p $PGPORT -k '$PGDATA' -c max_connections=300\" start" >/dev/null
  fi
} >&2
echo "postgres://postgres@127.0.0.1:$PGPORT/postgres"
