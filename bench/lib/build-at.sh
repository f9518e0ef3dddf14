#!/usr/bin/env bash
# Builds the paddock CLI (Release) of another commit into a cache folder and prints the path of its paddock.dll,
# for benchmarks that compare a change with what came before it in the same run. A temporary git worktree holds
# the checkout; it is removed after the build. Usage: bench/lib/build-at.sh REV [CACHE-ROOT]
set -euo pipefail
rev=${1:?usage: build-at.sh REV [CACHE-ROOT]}
root=${2:-${TMPDIR:-/tmp}/paddock-bench-builds}
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
sha=$(git -C "$repo" rev-parse --verify "$rev^{commit}")
out="$root/$sha"
if [[ ! -f "$out/paddock.dll" ]]; then
  checkout=$(mktemp -d "${TMPDIR:-/tmp}/paddock-at-XXXXXX")
  rmdir "$checkout"
  git -C "$repo" worktree add --detach --quiet "$checkout" "$sha"
  trap 'git -C "$repo" worktree remove --force "$checkout"' EXIT
  dotnet build "$checkout/src/Paddock.Cli/Paddock.Cli.csproj" -c Release -o "$out" -v quiet -nologo >&2
fi
echo "$out/paddock.dll"
