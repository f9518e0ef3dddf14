#!/usr/bin/env bash
# Installs the Debian packages Paddock needs when they are missing, saying what it does.
# Usage: scripts/ensure-tools.sh COMMAND:PACKAGE ...   (e.g. ffmpeg:ffmpeg jq:jq)
set -euo pipefail
missing=()
for pair in "$@"; do
  cmd=${pair%%:*}; pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "paddock: installing missing packages: ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
echo "paddock: installed ${missing[*]}"
