#!/usr/bin/env bash
# Paddock as several processes on one machine, the way it runs on several: one PostgreSQL, one S3-compatible server
# (s3rver), two API processes (`paddock serve --no-workers`) and three workers (`paddock worker`), all on loopback.
#   scripts/cluster.sh start     builds, starts everything, prints the URLs and the API key
#   scripts/cluster.sh stop      stops every process it started and removes its data
#   scripts/cluster.sh status    which processes run
# State (pids, logs, each process's data folder) lives in .paddock/cluster. Ports: PADDOCK_CLUSTER_PORT (default 8080)
# for API A, +1 for API B, +10..+12 for the workers' health endpoints.
set -euo pipefail
cd "$(dirname "$0")/.."
state=.paddock/cluster
base=${PADDOCK_CLUSTER_PORT:-8080}
paddock=src/Paddock.Cli/bin/Release/net10.0/paddock.dll

wait_healthy() { # URL NAME LOG
  for _ in $(seq 300); do
    curl -sf -o /dev/null "$1/api/health" && return 0
    sleep 0.2
  done
  echo "paddock: $2 did not become healthy; its log ($3):" >&2; tail -20 "$3" >&2; return 1
}

start_process() { # NAME ARGS...
  local name=$1; shift
  mkdir -p "$state/$name"
  nohup dotnet "$paddock" "$@" --data-dir "$state/$name" >"$state/$name.log" 2>&1 </dev/null &
  echo $! >"$state/$name.pid"
}

stop_all() {
  [ -d "$state" ] || return 0
  for pidfile in "$state"/*.pid; do
    [ -f "$pidfile" ] || continue
    kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  for pidfile in "$state"/*.pid; do
    [ -f "$pidfile" ] || continue
    for _ in $(seq 50); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
    rm -f "$pidfile"
  done
  [ -f "$state/s3.dir" ] && scripts/test-s3.sh stop "$(cat "$state/s3.dir")"
  [ -f "$state/pg.dir" ] && scripts/test-postgres.sh stop "$(cat "$state/pg.dir")"
  rm -rf "$state"
}

case "${1:-}" in
  start)
    [ -d "$state" ] && { echo "paddock: a cluster is already running (scripts/cluster.sh stop first)" >&2; exit 1; }
    scripts/ensure-tools.sh ffmpeg:ffmpeg ffprobe:ffmpeg curl:curl pg_ctlcluster:postgresql node:nodejs npm:npm
    echo "paddock: building..."
    dotnet build src/Paddock.Cli -c Release -v quiet -nologo | grep -E " error |rror\(s\)" || true
    mkdir -p "$state"
    trap 'stop_all' ERR

    pg=$(scripts/test-postgres.sh start --durable)
    sed -n 1p <<<"$pg" >"$state/pg.dir"
    s3=$(scripts/test-s3.sh start)
    sed -n 1p <<<"$s3" >"$state/s3.dir"

    # What every process shares: the database, the bucket, and the key that signs output URLs.
    export PADDOCK__STORAGE__PROVIDER=postgres
    export PADDOCK__STORAGE__POSTGRES__CONNECTIONSTRING="$(sed -n 2p <<<"$pg")"
    export PADDOCK__BLOBS__PROVIDER=s3
    export PADDOCK__BLOBS__S3__SERVICEURL="$(sed -n 2p <<<"$s3")"
    export PADDOCK__BLOBS__S3__BUCKET=paddock
    export PADDOCK__BLOBS__S3__CREATEBUCKET=true
    export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER   # s3rver accepts only this key pair
    export PADDOCK__SIGNINGKEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
    export PADDOCK__REFERENCES__ALLOWEDHOSTS__0=127.0.0.1
    api_a="http://127.0.0.1:$base"; api_b="http://127.0.0.1:$((base + 1))"
    # A reference uploaded through either API is read from storage by whichever process handles it (workers too).
    export PADDOCK__APIBASEURLS__0="$api_a" PADDOCK__APIBASEURLS__1="$api_b"

    # API A first: on an empty database it makes the first key (and migrates the schema); then the rest.
    start_process api-a serve --no-workers --urls "$api_a"
    wait_healthy "$api_a" "API A" "$state/api-a.log"
    start_process api-b serve --no-workers --urls "$api_b"
    for i in 1 2 3; do
      start_process "worker-$i" worker --concurrency 1 --urls "http://127.0.0.1:$((base + 9 + i))"
    done
    wait_healthy "$api_b" "API B" "$state/api-b.log"
    for i in 1 2 3; do wait_healthy "http://127.0.0.1:$((base + 9 + i))" "worker $i" "$state/worker-$i.log"; done
    trap - ERR

    echo
    echo "PostgreSQL:  ${PADDOCK__STORAGE__POSTGRES__CONNECTIONSTRING}"
    echo "S3 (s3rver): ${PADDOCK__BLOBS__S3__SERVICEURL}  bucket paddock"
    echo "API A:       $api_a   (workbench: $api_a/)"
    echo "API B:       $api_b"
    echo "Workers:     health at http://127.0.0.1:$((base + 10))/api/health, :$((base + 11)), :$((base + 12))"
    echo "API key (namespace 'default'): $(cat "$state/api-a/first-api-key.txt")"
    echo "Logs:        $state/*.log      stop with: scripts/cluster.sh stop"
    ;;
  stop) stop_all ;;
  status)
    for pidfile in "$state"/*.pid; do
      [ -f "$pidfile" ] || { echo "paddock: no cluster is running"; exit 0; }
      name=$(basename "$pidfile" .pid)
      if kill -0 "$(cat "$pidfile")" 2>/dev/null; then echo "$name: running (pid $(cat "$pidfile"))"; else echo "$name: stopped"; fi
    done
    ;;
  *) echo "usage: $0 start | stop | status" >&2; exit 2 ;;
esac
