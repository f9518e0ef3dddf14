#!/usr/bin/env bash
# Starts Paddock with its embedded defaults: SQLite and local disk under ./.paddock, the built-in
# renderer, listening on http://127.0.0.1:8080. Extra arguments go to `paddock serve`
# (e.g. --urls http://0.0.0.0:9000 --data-dir /var/lib/paddock).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-tools.sh ffmpeg:ffmpeg ffprobe:ffmpeg
echo "paddock: building (first time takes a minute)..."
# A failed build stops here with its errors, rather than starting an older build or none.
if ! build_output=$(dotnet build src/Paddock.Cli -c Release -v quiet -nologo 2>&1); then
  grep -E "error|Warn" <<<"$build_output" || echo "$build_output"
  echo "paddock: the build failed (above); nothing was started" >&2
  exit 1
fi
grep -E "Elapsed" <<<"$build_output" || true
exec dotnet src/Paddock.Cli/bin/Release/net10.0/paddock.dll serve "$@"
