#!/usr/bin/env bash
# Runs the whole test suite against real parts (ffmpeg, SQLite, PostgreSQL, Kestrel on loopback, curl/jq/awk)
# and ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-tools.sh ffmpeg:ffmpeg ffprobe:ffmpeg jq:jq curl:curl gawk:gawk chromium:chromium pg_ctlcluster:postgresql || exit 1
# The workbench's Python snippet is run as a user would run it: python3 with the requests module.
if ! python3 -c 'import requests' >/dev/null 2>&1; then
  scripts/ensure-tools.sh python3:python3 || exit 1
  # (a module has no command to look for: the first name only has to be one that does not exist)
  python3 -c 'import requests' >/dev/null 2>&1 || scripts/ensure-tools.sh python3-requests-module:python3-requests || exit 1
fi

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
    | awk '/^[[:space:]]+(Passed|Skipped) / { failing = 0 }
           /^[[:space:]]+Failed / { failing = 1 }
           # A failed test: its name, message and where in Paddock it broke (passing tests log handled errors too).
           /Error Message:/ { message = 2 }
           # The two lines after "Error Message:" are the message itself, whatever it says.
           failing && (message-- > 0 || /^[[:space:]]+Failed |Assert\.|^[[:space:]]+(Expected|Actual)|^[[:space:]]+at Paddock/) { print }
           /^[[:space:]]+Skipped |Passed!|Failed!/ { print }' || true
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
# Two parts. First the assemblies that mostly wait on loopback fakes and databases, three at a time, and beside
# them the server's fifty-kill audit (minutes of starting and killing servers, no deadline shorter than ten seconds).
# Then the assemblies that render, in two streams side by side: the server's own tests, and the rest one after another.
# Their deadlines hold on a loaded machine (each has passed with the cores shared at a load of 15 to 40); two streams
# rather than more keep renders from crowding each other past them. Each part's output is printed whole when it ends.
heavy='Paddock.Server.Tests|Paddock.OpenAI.Tests|Paddock.Cluster.Tests|Paddock.Cli.Tests|Paddock.Engines.Builtin.Tests|Paddock.Workbench.Tests'
light=$(ls tests/*.Tests/*.csproj | grep -vE "/($heavy)\.csproj$")
kill_audit='FullyQualifiedName~Paddock.Server.Tests.CrashLeftoverTests.Fifty_kills'
server=tests/Paddock.Server.Tests/Paddock.Server.Tests.csproj
echo "paddock: $(wc -l <<<"$light") light assemblies three at a time, beside the server's fifty-kill audit"
run_assembly "$server" Paddock.Server.Tests.KillAudit "$kill_audit" > "$results/kill-audit.log" 2>&1 &
audit=$!
printf '%s\n' $light | xargs -P 3 -I{} bash -c 'out=$(run_assembly "$1"); printf "paddock: %s\n%s\n" "$(basename "$1" .csproj)" "$out"' _ {}
wait "$audit"
echo "paddock: Paddock.Server.Tests (fifty-kill audit)"; cat "$results/kill-audit.log"

echo "paddock: the rendering assemblies, in two streams: the server's tests, and the others one after another"
run_assembly "$server" Paddock.Server.Tests "FullyQualifiedName!~Paddock.Server.Tests.CrashLeftoverTests.Fifty_kills" > "$results/server.log" 2>&1 &
server_run=$!
for project in $(ls tests/*.Tests/*.csproj | grep -E "/($heavy)\.csproj$" | grep -v "/Paddock.Server.Tests.csproj$"); do
  echo "paddock: $(basename "$project" .csproj)"
  run_assembly "$project"
done
wait "$server_run"
echo "paddock: Paddock.Server.Tests"; cat "$results/server.log"

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
