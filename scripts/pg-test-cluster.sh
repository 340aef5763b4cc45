#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (issue #21): Debian's `postgresql` package (installed
# with apt when initdb is missing and we are root), initdb + pg_ctl in a temporary folder, a loopback
# port. Tuned for tests (fsync off: the crash tests kill AgentDesk, never PostgreSQL); `--durable`
# keeps PostgreSQL's defaults (fsync, full page writes, synchronous commit) for benchmarks whose
# figures should hold for a real deployment.
#
#   eval "$(bash scripts/pg-test-cluster.sh start [port] [--durable])"   # exports TEST_DATABASE_URL and AGENTDESK_PG_DIR
#   bash scripts/pg-test-cluster.sh stop "$AGENTDESK_PG_DIR"
set -euo pipefail

find_bin() {
  local bin
  bin=$(pg_config --bindir 2>/dev/null || true)
  if [ -n "$bin" ] && [ -x "$bin/initdb" ]; then echo "$bin"; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$RUNAS" -- "$@"; else "$@"; fi
}

cmd=${1:-}
case "$cmd" in
  install)
    # What the PostgreSQL tests need on a fresh Debian machine: the server, unaccent (contrib) and
    # libpq's headers (pg-native builds against them during npm ci).
    BIN=$(find_bin)
    if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ] || ! command -v pg_config >/dev/null 2>&1; then
      if [ "$(id -u)" != 0 ]; then echo "PostgreSQL is missing: apt-get install postgresql postgresql-contrib libpq-dev" >&2; exit 1; fi
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq postgresql postgresql-contrib libpq-dev >/dev/null
    fi
    ;;
  start)
    PORT=${PGPORT:-55432}
    DURABILITY="-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
    for arg in "${@:2}"; do
      case "$arg" in
        --durable) DURABILITY="" ;;
        *[!0-9]*) echo "unknown option $arg (start [port] [--durable])" >&2; exit 2 ;;
        *) PORT=$arg ;;
      esac
    done
    BIN=$(find_bin)
    if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then echo "initdb not found: run 'bash scripts/pg-test-cluster.sh install' as root" >&2; exit 1; fi
    if [ "$(id -u)" = 0 ]; then
      # initdb refuses root: the package's postgres user runs the cluster (or one made for it).
      if id postgres >/dev/null 2>&1; then RUNAS=postgres; else
        id agentdesk-pg >/dev/null 2>&1 || useradd --system --no-create-home agentdesk-pg
        RUNAS=agentdesk-pg
      fi
    else RUNAS=$(id -un); fi
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/agentdesk-pg.XXXXXX")
    chmod 755 "$DIR"
    [ "$(id -u)" = 0 ] && chown "$RUNAS" "$DIR"
    as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w start \
      -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 $DURABILITY -c max_connections=300 -c idle_in_transaction_session_timeout=60000" >/dev/null
    echo "$RUNAS" > "$DIR/owner"
    echo "$BIN" > "$DIR/bin"
    echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
    echo "export AGENTDESK_PG_DIR=$DIR"
    ;;
  stop)
    DIR=${2:?the cluster folder (AGENTDESK_PG_DIR)}
    [ -d "$DIR/data" ] || exit 0
    RUNAS=$(cat "$DIR/owner"); BIN=$(cat "$DIR/bin")
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: pg-test-cluster.sh install | start [port] [--durable] | stop <folder>" >&2
    exit 2
    ;;
esac
