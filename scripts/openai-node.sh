#!/usr/bin/env bash
# The official OpenAI SDK for JavaScript (npm's openai), for the tests of the OpenAI face (/v1/videos). Installed on first
# use under tools/openai-node (ignored by git; never commit node_modules). 6.49.0 is the newest that npm picks for the
# Node 20 here and has client.videos (create, retrieve, list, delete, downloadContent, remix).
#   scripts/openai-node.sh install     installs it if missing, prints the node_modules folder to put in NODE_PATH
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/tools/openai-node"
version=6.49.0

case "${1:-}" in
  install)
    command -v node >/dev/null 2>&1 || "$root/scripts/ensure-tools.sh" node:nodejs npm:npm >&2
    if [ ! -f "$tools/node_modules/openai/package.json" ] || ! grep -q "\"version\": \"$version\"" "$tools/node_modules/openai/package.json"; then
      mkdir -p "$tools"
      [ -f "$tools/package.json" ] || echo '{"name":"paddock-test-tools","private":true}' >"$tools/package.json"
      (cd "$tools" && npm install --no-audit --no-fund --silent "openai@$version" >&2)
    fi
    echo "$tools/node_modules"
    ;;
  *)
    echo "usage: $0 install" >&2; exit 2 ;;
esac
