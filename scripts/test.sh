#!/usr/bin/env bash
# Runs the whole test suite against real parts (ffmpeg, SQLite, PostgreSQL, Kestrel on loopback, curl/jq/awk)
# and ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-tools.sh ffmpeg:ffmpeg ffprobe:ffmpeg jq:jq curl:curl gawk:gawk chromium:chromium pg_ctlcluster:postgresql || exit 1

# One throwaway PostgreSQL for the whole run (tests make a database each); stopped however the run ends.
if pg=$(scripts/test-postgres.sh start); then
  pg_dir=$(sed -n 1p <<<"$pg")
  export PADDOCK_TEST_POSTGRES=$(sed -n 2p <<<"$pg")
  trap 'scripts/test-postgres.sh stop "$pg_dir"' EXIT
  echo "paddock: PostgreSQL for the tests on ${PADDOCK_TEST_POSTGRES%%;Username*}"
else
  echo "paddock: could not start PostgreSQL; its tests will try to start their own"
fi

# One throwaway S3-compatible server (s3rver on loopback) for the blob tests; each test makes a bucket of its own.
if s3=$(scripts/test-s3.sh start); then
  s3_dir=$(sed -n 1p <<<"$s3")
  export PADDOCK_TEST_S3=$(sed -n 2p <<<"$s3")
  trap '[ -n "${pg_dir:-}" ] && scripts/test-postgres.sh stop "$pg_dir"; scripts/test-s3.sh stop "$s3_dir"' EXIT
  echo "paddock: S3-compatible server for the tests on $PADDOCK_TEST_S3"
else
  echo "paddock: could not start s3rver; its tests will try to start their own"
fi

results=artifacts/test-results
rm -rf "$results"; mkdir -p "$results"
echo "paddock: building..."
if ! dotnet build Paddock.slnx -c Release -nologo -v quiet; then
  echo "0 passed, 1 failed"
  exit 1
fi
echo "paddock: running tests..."
# run_assembly PROJECT [RESULTS-NAME FILTER]: one test run, its failures printed, then its own count from its results file.
run_assembly() {
  local project=$1 name=${2:-$(basename "$1" .csproj)} filter=${3:-}
  dotnet test "$project" -c Release --no-build --nologo ${filter:+--filter "$filter"} \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" --results-directory "$results" 2>&1 \
    | grep -E '^\s+(Failed|Skipped) |Error Message|Assert\.|^\s+(Expected|Actual)|^\s+at Paddock|Passed!|Failed!' || true
  # The console summary is not printed by every runner mode; the results file always has the counters.
  local counters
  counters=$(grep -o '<Counters [^>]*>' "$results/$name.trx" 2>/dev/null | head -1)
  if [ -n "$counters" ]; then
    echo "  $name: $(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters") passed, $(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters") failed"
  else
    echo "  $name: no results (its test host ended before writing them)"
  fi
}
export -f run_assembly; export results
# Assemblies that render or hold one-second deadlines run one at a time: renders keep both cores busy,
# and such tests must not compete with another assembly's renders. The others mostly wait on loopback
# fakes and databases, so they run three at a time first (each one's output is printed whole when it ends).
# Beside them runs the fifty-kill audit from the server tests: it has no deadline shorter than ten seconds and
# takes minutes on its own, so it is split off rather than left to lengthen the one-at-a-time part.
heavy='Paddock.Server.Tests|Paddock.OpenAI.Tests|Paddock.Cluster.Tests|Paddock.Cli.Tests|Paddock.Engines.Builtin.Tests|Paddock.Workbench.Tests'
light=$(ls tests/*.Tests/*.csproj | grep -vE "/($heavy)\.csproj$")
kill_audit='FullyQualifiedName~Paddock.Server.Tests.CrashLeftoverTests.Fifty_kills'
echo "paddock: $(wc -l <<<"$light") light assemblies three at a time, beside the server's fifty-kill audit"
run_kill_audit() { run_assembly tests/Paddock.Server.Tests/Paddock.Server.Tests.csproj Paddock.Server.Tests.KillAudit "$kill_audit"; }
run_kill_audit > "$results/kill-audit.log" 2>&1 &
audit=$!
printf '%s\n' $light | xargs -P 3 -I{} bash -c 'out=$(run_assembly "$1"); printf "paddock: %s\n%s\n" "$(basename "$1" .csproj)" "$out"' _ {}
wait "$audit"
echo "paddock: Paddock.Server.Tests (fifty-kill audit)"; cat "$results/kill-audit.log"
for project in $(ls tests/*.Tests/*.csproj | grep -E "/($heavy)\.csproj$"); do
  name=$(basename "$project" .csproj)
  echo "paddock: $name"
  if [ "$name" = Paddock.Server.Tests ]; then run_assembly "$project" "$name" "FullyQualifiedName!~Paddock.Server.Tests.CrashLeftoverTests.Fifty_kills"
  else run_assembly "$project"; fi
done

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
  f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
  passed=$((passed + p)); failed=$((failed + f))
done
# A crashed test host leaves no counters: count it as a failure rather than a silent pass.
# (one results file per assembly, plus the kill audit's own)
assemblies=$(( $(ls tests/*.Tests/*.csproj | wc -l) + 1 ))
trx_count=$(ls "$results"/*.trx 2>/dev/null | wc -l)
[ "$trx_count" -lt "$assemblies" ] && failed=$((failed + assemblies - trx_count))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
