#!/usr/bin/env bash
# A throwaway S3-compatible server for tests and the local cluster: npm's s3rver 3.7.1 on loopback, its objects in a
# temporary folder. Installed on first use under tools/s3rver (ignored by git; never commit node_modules).
#   scripts/test-s3.sh install          installs s3rver if missing, prints the path of its command
#   scripts/test-s3.sh start [--owner PID]   prints the folder on line 1 and the endpoint URL on line 2; with --owner,
#                                            the server stops by itself (and its folder goes) when process PID ends
#   scripts/test-s3.sh stop DIR
# s3rver accepts only the access key S3RVER (secret S3RVER) and does not check signatures; Paddock's S3 store verifies
# every object's content hash itself. --openssl-legacy-provider: s3rver's paged listing uses MD4.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/tools/s3rver"
cli="$tools/node_modules/s3rver/bin/s3rver.js"

install() {
  command -v node >/dev/null 2>&1 || "$root/scripts/ensure-tools.sh" node:nodejs npm:npm >&2
  if [ ! -f "$cli" ]; then
    mkdir -p "$tools"
    [ -f "$tools/package.json" ] || echo '{"name":"paddock-test-tools","private":true}' >"$tools/package.json"
    (cd "$tools" && npm install --no-audit --no-fund --silent s3rver@3.7.1 >&2)
  fi
  echo "$cli"
}

case "${1:-}" in
  install) install ;;
  start)
    install >/dev/null
    dir=$(mktemp -d /tmp/paddock-s3.XXXXXX)
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    nohup node --openssl-legacy-provider "$cli" --address 127.0.0.1 --port "$port" --directory "$dir/objects" --silent \
      >"$dir/log" 2>&1 </dev/null &
    echo $! >"$dir/pid"
    for _ in $(seq 100); do
      if curl -s -o /dev/null "http://127.0.0.1:$port/"; then break; fi
      sleep 0.1
    done
    curl -s -o /dev/null "http://127.0.0.1:$port/" || { echo "paddock: s3rver did not start: $(cat "$dir/log")" >&2; exit 1; }
    if [ "${2:-}" = "--owner" ] && [ -n "${3:-}" ]; then
      # A test process that is killed cannot stop what it started: this watcher does it for it.
      owner=$3
      nohup bash -c "while kill -0 $owner 2>/dev/null; do sleep 1; done; kill \$(cat '$dir/pid') 2>/dev/null; sleep 0.5; rm -rf '$dir'" \
        >/dev/null 2>&1 </dev/null &
    fi
    echo "$dir"
    echo "http://127.0.0.1:$port"
    ;;
  stop)
    dir=${2:?usage: $0 stop DIR}
    [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 install | start | stop DIR" >&2; exit 2 ;;
esac
