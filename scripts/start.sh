#!/usr/bin/env bash
# Starts Paddock with its embedded defaults: SQLite and local disk under ./.paddock, the built-in
# renderer, listening on http://127.0.0.1:8080. Extra arguments go to `paddock serve`
# (e.g. --urls http://0.0.0.0:9000 --data-dir /var/lib/paddock).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-tools.sh ffmpeg:ffmpeg ffprobe:ffmpeg
echo "paddock: building (first time takes a minute)..."
dotnet build src/Paddock.Cli -c Release -v quiet -nologo | grep -E "error|Warn|Elapsed" || true
exec dotnet src/Paddock.Cli/bin/Release/net10.0/paddock.dll serve "$@"
