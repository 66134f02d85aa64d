#!/usr/bin/env bash
# Entry point for every build task: restores the pinned tools (Cake, Azurite), then runs build.cake.
#   ./build.sh --target=Run     start Azurite and the local scale unit (Ctrl-C stops the silo, then Azurite)
#   ./build.sh --target=Test    build, check formatting, run all tests against a fresh Azurite
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet tool restore >/dev/null
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "node and npm are missing: Azurite and the admin center need Node.js 20 or later (e.g. apt-get install -y nodejs npm)." >&2
  exit 1
fi
if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

rm -f artifacts/summary.txt
set +e
dotnet cake build.cake "$@"
rc=$?
set -e
# Cake prints its task table last; the test summary must be the final line, so it is echoed here.
if [ -f artifacts/summary.txt ]; then
  cat artifacts/summary.txt
fi
exit $rc
