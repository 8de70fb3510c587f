#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL 15 cluster for the tests.
#   eval "$(scripts/pg.sh start)"   # exports COUNTERFLOW_TEST_PG_URL and PGTMP
#   scripts/pg.sh stop "$PGTMP"
#   scripts/pg.sh halt "$PGTMP"; scripts/pg.sh resume "$PGTMP"   # a restart, same port and data
# initdb refuses to run as root, so as root the cluster belongs to the postgres user.
set -euo pipefail
BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
cmd="${1:-start}"
as_pg() {
  if [ "$(id -u)" = "0" ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}
if [ "$cmd" = "start" ]; then
  dir="$(mktemp -d /tmp/counterflow-pg.XXXXXX)"
  if [ "$(id -u)" = "0" ]; then chown postgres "$dir"; fi
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  as_pg "'$BIN/initdb' -D '$dir/data' -U postgres -A trust --no-sync -E UTF8 >'$dir/initdb.log' 2>&1" \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_pg "'$BIN/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -o \"-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start >/dev/null" \
    || { cat "$dir/server.log" >&2; exit 1; }
  echo "$port" > "$dir/port"
  echo "export PGTMP='$dir'"
  echo "export COUNTERFLOW_TEST_PG_URL='postgresql+psycopg://postgres@127.0.0.1:$port/postgres'"
elif [ "$cmd" = "halt" ]; then  # stop the server, keep its data (a database restart, first half)
  dir="${2:?usage: pg.sh halt DIR}"
  as_pg "'$BIN/pg_ctl' -D '$dir/data' -m fast stop >/dev/null"
elif [ "$cmd" = "resume" ]; then  # start it again on the same port
  dir="${2:?usage: pg.sh resume DIR}"
  port="$(cat "$dir/port")"
  as_pg "'$BIN/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -o \"-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start >/dev/null" \
    || { cat "$dir/server.log" >&2; exit 1; }
elif [ "$cmd" = "stop" ]; then
  dir="${2:?usage: pg.sh stop DIR}"
  as_pg "'$BIN/pg_ctl' -D '$dir/data' -m fast stop >/dev/null" || true
  rm -rf "$dir"
else
  echo "usage: $0 start | stop DIR | halt DIR | resume DIR" >&2; exit 2
fi
