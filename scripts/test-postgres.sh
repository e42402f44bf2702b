#!/usr/bin/env bash
# `npm run test:postgres`: the jest suite on a throw-away PostgreSQL. If PostgreSQL cannot be
# installed or started, this fails here (set -e), instead of jest quietly running on SQLite.
# PX_TEST_ENGINE=postgres makes the test helpers refuse any other engine (test/helpers/database.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
url=$(bash scripts/postgres.sh)
export TEST_DATABASE_URL="$url" PX_TEST_ENGINE=postgres
exec npx jest "$@"
