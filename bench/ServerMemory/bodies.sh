#!/usr/bin/env bash
# Peak memory of the server while eight clients each POST a ~120 MB JSON body at once to /api/ai/queue: nine
# 10,000,000-byte images as base64 data: URLs (the largest legitimate body is about that), or with --junk one
# 120 MB string in an unknown field. `paddock serve` runs API-only (no renders), so what is measured is reading,
# validating and storing the bodies. Reports the idle resident memory, the peak (VmHWM, the kernel's high-water
# mark, plus samples every 50 ms), and each answer's status. With --baseline DLL, the same is measured first for
# another build of paddock.dll (e.g. the code before a change), in the same run.
#   bench/ServerMemory/bodies.sh [--baseline path/to/paddock.dll] [--junk] [--clients 8]
set -euo pipefail
cd "$(dirname "$0")/../.."
baseline=""; junk=0; clients=8
while [ $# -gt 0 ]; do
  case "$1" in
    --baseline) baseline=$2; shift 2 ;;
    --junk) junk=1; shift ;;
    --clients) clients=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

echo "building Paddock (Release)..." >&2
dotnet build src/Paddock.Cli -c Release -v quiet -nologo >"${TMPDIR:-/tmp}/paddock-bench-build.log" 2>&1 \
  || { grep -E "error" "${TMPDIR:-/tmp}/paddock-bench-build.log" >&2; exit 1; }
current=src/Paddock.Cli/bin/Release/net10.0/paddock.dll
work=$(mktemp -d); server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT

echo "writing the body..." >&2
image=$(head -c 10000000 /dev/urandom | base64 -w0)
if [ "$junk" = 1 ]; then
  { printf '{"model":"happyhorse-1.0-r2v","prompt":"Image 1 walks","padding":"'; head -c 90000000 /dev/urandom | base64 -w0; printf '"}'; } >"$work/body.json"
else
  { printf '{"model":"happyhorse-1.0-r2v","prompt":"Image 1 walks with Image 2","reference_images":['
    for i in 1 2 3 4 5 6 7 8 9; do [ $i -gt 1 ] && printf ','; printf '"data:image/png;base64,%s"' "$image"; done
    printf ']}'; } >"$work/body.json"
fi
unset image
size=$(stat -c %s "$work/body.json")

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# measure DLL LABEL: one server, $clients concurrent bodies; prints one table row.
measure() {
  local dll=$1 label=$2 port=$((20000 + RANDOM % 20000))
  local data="$work/data-$label"
  dotnet "$dll" serve --urls "http://127.0.0.1:$port" --data-dir "$data" --Paddock:Workers:Concurrency=0 \
    --Logging:LogLevel:Default=Warning >"$work/server-$label.log" 2>&1 &
  server=$!
  until curl -sf "http://127.0.0.1:$port/api/health" >/dev/null; do sleep 0.2; done
  local key; key=$(cat "$data/first-api-key.txt")
  sleep 2
  local idle; idle=$(rss_kb "$server")
  local started; started=$(date +%s.%N)
  for i in $(seq 1 "$clients"); do
    curl -s -o "$work/answer-$label-$i.json" -w '%{http_code}\n' -X POST --upload-file "$work/body.json" \
      -H "Authorization: Bearer $key" -H "Content-Type: application/json" --max-time 300 \
      "http://127.0.0.1:$port/api/ai/queue" >"$work/status-$label-$i" 2>/dev/null &
  done
  local peak=$idle
  while [ "$(jobs -rp | grep -vc "^$server\$")" -gt 0 ]; do
    local now; now=$(rss_kb "$server"); [ "$now" -gt "$peak" ] && peak=$now
    sleep 0.05
  done
  local elapsed; elapsed=$(awk -v a="$(date +%s.%N)" -v b="$started" 'BEGIN { printf "%.1f", a - b }')
  local hwm; hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$server/status")
  local statuses; statuses=$(cat "$work"/status-"$label"-* | sort | uniq -c | awk '{printf "%s%s × %s", (NR>1?", ":""), $1, $2}')
  local answered; answered=$(cat "$work"/status-"$label"-* | grep -vc '^000$' || true)
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  printf '| %s | %d MB | %d MB | %d MB | %s s | %d of %d: %s |\n' "$label" $((idle / 1024)) $((peak / 1024)) $((hwm / 1024)) "$elapsed" "$answered" "$clients" "$statuses"
}

printf '\n%d concurrent bodies of %d bytes (%s); server API-only.\n\n' "$clients" "$size" "$([ $junk = 1 ] && echo 'one 120 MB string in an unknown field' || echo 'nine 10,000,000-byte images as data: URLs')"
printf '| build | idle | peak (samples) | peak (VmHWM) | all answered after | answers |\n|---|---:|---:|---:|---:|---|\n'
[ -n "$baseline" ] && measure "$baseline" before
measure "$current" after
