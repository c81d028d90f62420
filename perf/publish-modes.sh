#!/usr/bin/env bash
# Compares the supervisor host published two ways, in one benchmark run: JIT and ReadyToRun (what ./build.sh ships).
# Native AOT was compared too until gRPC reflection, which is not trim-safe, stopped the host publishing so.
# Per build: process start to listening, to "Supervisor ready" and to a first reply through the events API, idle RSS,
# then events API p50 and throughput with both running, in interleaved rounds.
#   perf/publish-modes.sh [--quick]     run ./build.sh first (plugins and the benchmark);
#                                       results in artifacts/bench/publish-modes.json, a table on stderr
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIGURATION="${CONFIGURATION:-Release}"
OUT="$PWD/artifacts/publish-modes"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

publish_host() { # mode
  echo "==> publishing the supervisor host ($1) to $OUT/$1"
  dotnet publish src/Supervisor.Host -c "$CONFIGURATION" --nologo -v quiet -p:SupervisorPublishMode="$1" -o "$OUT/$1"
}

rm -rf "$OUT"
hosts=()
for mode in jit r2r; do
  publish_host "$mode"
  hosts+=(--host "$mode=$OUT/$mode/supervisor")
done

dotnet build perf/Supervisor.Benchmarks -c "$CONFIGURATION" --nologo -v quiet
dotnet run --project perf/Supervisor.Benchmarks -c "$CONFIGURATION" --no-build -- "${hosts[@]}" "$@"
