#!/usr/bin/env bash
# Every benchmark, one after the other, in Release; then the generated section of docs/BENCHMARKS.md (between
# <!-- bench:latest --> and <!-- /bench:latest -->) is rewritten with the date, the machine (cores, load average before
# and after) and each benchmark's printed report. The hand-written history above the markers is left as it is.
#
#   bench/run.sh                 the full versions (an hour or more on 2 cores)
#   bench/run.sh --quick         short versions of each (a few minutes): proves the chain works; figures are rough
#   bench/run.sh --only Sse,Read run only the named benchmarks (names below, without "Bench"; EnqueueQuotas is
#                                EnqueueBench --quotas, EnqueueValidation EnqueueBench --validation)
#   bench/run.sh --no-docs       print the reports, leave docs/BENCHMARKS.md alone
#
# PickupBench (and EnqueueBench's PostgreSQL rows, in the full run) need PostgreSQL's server installed; a durable
# throwaway cluster is started with scripts/test-postgres.sh and stopped at the end. Without it they are skipped.
# SseBench's full run builds the commit before the fan-out change (3bded52^) with bench/lib/build-at.sh, once, into a
# cache folder, and measures it as a third target.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

quick=0; docs=1; only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --no-docs) docs=0; shift ;;
    --only) only=",$2,"; shift 2 ;;
    --only=*) only=",${1#--only=},"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1 (--quick, --only A,B, --no-docs)" >&2; exit 2 ;;
  esac
done
wanted() { [ -z "$only" ] || [[ "$only" == *",$1,"* ]]; }

work=$(mktemp -d "${TMPDIR:-/tmp}/paddock-bench-run.XXXXXX")
pg_dir=""
cleanup() { [ -n "$pg_dir" ] && scripts/test-postgres.sh stop "$pg_dir"; rm -rf "$work"; }
trap cleanup EXIT

started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
mode=$([ $quick = 1 ] && echo quick || echo full)

echo "== building (Release)" >&2
projects=(src/Paddock.Cli/Paddock.Cli.csproj bench/*/*Bench.csproj)
for p in "${projects[@]}"; do
  if ! dotnet build "$p" -c Release -v quiet -nologo >"$work/build.log" 2>&1; then
    grep -E "error" "$work/build.log" >&2; echo "bench/run.sh: building $p failed" >&2; exit 1
  fi
done

pg=""
if wanted Pickup || { [ $quick = 0 ] && wanted Enqueue; }; then
  if out=$(scripts/test-postgres.sh start --durable 2>"$work/pg.log"); then
    pg_dir=$(sed -n 1p <<<"$out"); pg=$(sed -n 2p <<<"$out")
  else
    echo "== PostgreSQL not available ($(tail -1 "$work/pg.log")): PickupBench and EnqueueBench's PostgreSQL rows skipped" >&2
  fi
fi

# name | command (run from the repository root). Each bench prints its own baseline and ratio.
declare -a names commands
add() { wanted "$1" && { names+=("$1"); commands+=("$2"); }; }
dll() { echo "dotnet bench/$1Bench/bin/Release/net10.0/$1Bench.dll"; }
if [ $quick = 1 ]; then
  add Enqueue   "$(dll Enqueue) --seconds 3 --warmup 1 --runs 1"
  add EnqueueQuotas "$(dll Enqueue) --quotas --seconds 3 --warmup 1 --runs 1"
  add EnqueueValidation "$(dll Enqueue) --validation --runs 3"
  add Read      "$(dll Read) --rows 1000,20000 --seconds 2 --warmup 1"
  add Sse       "$(dll Sse) --streams 500 --events 10"
  add Render    "$(dll Render) --duration 3 --resolution 720P --runs 1"
  add Reference "$(dll Reference) --runs 2"
  add ComfyPool "$(dll ComfyPool) --jobs 4 --task-time 1 --pools 1,2"
  add HappyHorse "$(dll HappyHorse) --runs 2 --jobs 4 --task-time 1 --pending-time 0.2 --wave-concurrency 2"
  add ServerMemory "bench/ServerMemory/run.sh --resolution 720P --duration 3"
  [ -n "$pg" ] && add Pickup "$(dll Pickup) --postgres '$pg' --samples 5"
else
  add Enqueue   "$(dll Enqueue)${pg:+ --postgres '$pg'}"
  add EnqueueQuotas "$(dll Enqueue) --quotas --runs 3"
  add EnqueueValidation "$(dll Enqueue) --validation --runs 7"
  add Read      "$(dll Read)"
  if wanted Sse; then
    before=$(bench/lib/build-at.sh 3bded52^ 2>"$work/before.log") \
      || { echo "bench/run.sh: building 3bded52^ failed; SseBench runs without it" >&2; before=""; }
    add Sse "$(dll Sse)${before:+ --before-dll '$before' --before-label 'before 3bded52'}"
  fi
  add Render    "$(dll Render)"
  add Reference "$(dll Reference) --runs 7"
  add ComfyPool "$(dll ComfyPool) --jobs 20 --task-time 6"
  add HappyHorse "$(dll HappyHorse)"
  add ServerMemory "bench/ServerMemory/run.sh"
  [ -n "$pg" ] && add Pickup "$(dll Pickup) --postgres '$pg' --samples 30"
fi

for i in "${!names[@]}"; do
  name=${names[$i]}; command=${commands[$i]}
  echo "== ${name}: $command" >&2
  begin=$(date +%s)
  bash -c "$command" 2>&1 | tee "$work/$name.log"
  echo "${PIPESTATUS[0]} $(( $(date +%s) - begin ))" >"$work/$name.status"
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
if [ $docs = 0 ]; then
  for name in "${names[@]}"; do read -r rc _ <"$work/$name.status"; [ "$rc" = 0 ] || exit 1; done
  exit 0
fi

# The generated section: each bench's report (what follows its Markdown marker, or its whole output in a block).
section="$work/section.md"
{
  echo "## Latest run (generated by \`bench/run.sh$([ $quick = 1 ] && echo ' --quick')\`)"
  echo
  echo "Started $started, $mode mode. Machine: $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GB, $(. /etc/os-release; echo "$PRETTY_NAME"), .NET SDK $(dotnet --version);"
  echo "load average (1/5/15 min) $load_before at the start, $load_after at the end. Commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src bench || echo ' with local changes')."
  [ $quick = 1 ] && echo "Quick mode runs short versions: they prove each benchmark runs; the figures are rough."
  for i in "${!names[@]}"; do
    name=${names[$i]}; read -r rc seconds <"$work/$name.status"
    echo
    case $name in
      ServerMemory) heading="ServerMemory (bench/ServerMemory/run.sh)" ;;
      EnqueueQuotas) heading="EnqueueBench --quotas" ;;
      EnqueueValidation) heading="EnqueueBench --validation" ;;
      *) heading="${name}Bench" ;;
    esac
    echo "### $heading"
    echo
    echo "\`${commands[$i]//$repo\//}\` — $seconds s, exit $rc$([ "$rc" != 0 ] && echo ' (**failed**: see its output)')"
    echo
    if grep -q -- '--- Markdown for docs/BENCHMARKS.md ---' "$work/$name.log"; then
      sed -n '/--- Markdown for docs\/BENCHMARKS.md ---/,$p' "$work/$name.log" | tail -n +2 | sed 's/^### /#### /'
    else
      echo '```text'; cat "$work/$name.log"; echo '```'
    fi
  done
} >"$section"

python3 - "$section" docs/BENCHMARKS.md <<'PY'
import sys
section, path = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
block = "<!-- bench:latest -->\n" + open(section, encoding="utf-8").read().rstrip() + "\n<!-- /bench:latest -->"
start, end = text.find("<!-- bench:latest -->"), text.find("<!-- /bench:latest -->")
if start >= 0 and end > start:
    text = text[:start] + block + text[end + len("<!-- /bench:latest -->"):]
else:
    text = text.rstrip() + "\n\n" + block + "\n"
open(path, "w", encoding="utf-8").write(text)
PY
echo "== docs/BENCHMARKS.md: generated section rewritten" >&2
failed=0
for name in "${names[@]}"; do read -r rc _ <"$work/$name.status"; [ "$rc" = 0 ] || { echo "== ${name}Bench failed (exit $rc)" >&2; failed=1; }; done
exit $failed
