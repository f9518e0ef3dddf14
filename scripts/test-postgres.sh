#!/usr/bin/env bash
# A throwaway PostgreSQL for the test run: Debian's package, on loopback, in a temporary folder, fsync off.
#   scripts/test-postgres.sh start [--durable]   prints the folder on line 1 and a superuser connection string on line 2
#   scripts/test-postgres.sh stop DIR
# --durable keeps fsync on (the server's default): for benchmarks, whose figures must include the disk.
# Tests read the connection string from PADDOCK_TEST_POSTGRES; without it they start a server of their own.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "paddock: PostgreSQL's server is not installed (apt-get install -y postgresql)" >&2; exit 1; }
as_postgres() { if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

case "${1:-}" in
  start)
    fsync=off; [ "${2:-}" = "--durable" ] && fsync=on
    dir=$(mktemp -d /tmp/paddock-pg.XXXXXX)
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
    as_postgres "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
      -o "-k $dir -c listen_addresses=127.0.0.1 -p $port -c fsync=$fsync -c max_connections=300" start >/dev/null
    echo "$dir"
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Timeout=5"
    ;;
  stop)
    dir=${2:?usage: $0 stop DIR}
    as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
