#!/usr/bin/env bash
# Peak memory of the whole server while it renders one 15 s 1080P generation with two reference images:
# `paddock serve` (SQLite, local disk, built-in engine, one worker) plus the ffmpeg it runs, sampled every 50 ms
# from /proc. The baseline is the same server idle after start-up. Target: under 600 MB for the whole server.
#   bench/ServerMemory/run.sh [--resolution 1080P] [--duration 15]
set -euo pipefail
cd "$(dirname "$0")/../.."
resolution=1080P; duration=15
while [ $# -gt 0 ]; do
  case "$1" in
    --resolution) resolution=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

echo "building Paddock (Release)..." >&2
dotnet build src/Paddock.Cli -c Release -v quiet -nologo >"${TMPDIR:-/tmp}/paddock-bench-build.log" 2>&1 \
  || { grep -E "error" "${TMPDIR:-/tmp}/paddock-bench-build.log" >&2; exit 1; }
paddock() { dotnet src/Paddock.Cli/bin/Release/net10.0/paddock.dll "$@"; }
work=$(mktemp -d); port=$((20000 + RANDOM % 20000)); base=http://127.0.0.1:$port
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet src/Paddock.Cli/bin/Release/net10.0/paddock.dll serve --urls "$base" --data-dir "$work/data" --Logging:LogLevel:Default=Warning >"$work/server.log" 2>&1 &
server=$!
until curl -sf "$base/api/health" >/dev/null; do sleep 0.2; done
key=$(cat "$work/data/first-api-key.txt")
paddock render --sample-image "$work/fox.png" --subject fox 2>/dev/null
paddock render --sample-image "$work/land.jpg" --subject landscape 2>/dev/null
for f in fox.png land.jpg; do
  curl -sf -X PUT -H "Authorization: Bearer $key" -F file=@"$work/$f" "$base/api/repos/default/bench/file/main/$f" >/dev/null
done
sleep 2

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
tree_rss_kb() { # the server and every process below it (ffmpeg)
  local total; total=$(rss_kb "$1")
  for child in $(pgrep -P "$1" || true); do total=$((total + $(tree_rss_kb "$child"))); done
  echo "$total"
}
idle=$(tree_rss_kb "$server")

body=$(printf '{"model":"happyhorse-1.0-r2v","prompt":"Image 1 walks through Image 2 at golden hour, slow pan right, falling leaves","reference_images":["%s","%s"],"resolution":"%s","duration":%s,"seed":7}' \
  "$base/api/repos/default/bench/file/main/fox.png" "$base/api/repos/default/bench/file/main/land.jpg" "$resolution" "$duration")
id=$(curl -sf -X POST "$base/api/ai/queue" -H "Authorization: Bearer $key" -H "Content-Type: application/json" -d "$body" | jq -r '.generations[0].generation_id')
peak=$idle; started=$(date +%s.%N)
while :; do
  now=$(tree_rss_kb "$server"); [ "$now" -gt "$peak" ] && peak=$now
  status=$(curl -sf "$base/api/ai/queue/$id" -H "Authorization: Bearer $key" | jq -r .status)
  case "$status" in succeeded|failed|cancelled) break ;; esac
  sleep 0.05
done
elapsed=$(awk -v a="$(date +%s.%N)" -v b="$started" 'BEGIN { printf "%.1f", a - b }')
[ "$status" = succeeded ] || { echo "the generation ended $status" >&2; exit 1; }
server_hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$server/status")

printf '\n| what | resident |\n|---|---:|\n'
printf '| baseline: the server idle after start-up | %d MB |\n' $((idle / 1024))
printf '| peak while rendering (server + ffmpeg, sampled every 50 ms) | %d MB |\n' $((peak / 1024))
printf '| the server process alone, high-water mark (VmHWM) | %d MB |\n' $((server_hwm / 1024))
printf '\n%s s %s render took %s s; ratio peak / idle: %s; target: peak under 600 MB.\n' "$duration" "$resolution" "$elapsed" "$(awk -v p="$peak" -v i="$idle" 'BEGIN { printf "%.2f", p / i }')"
