#!/usr/bin/env bash
# Build, publish, run, test and benchmark Plugin Supervisor.
#   ./build.sh          build everything and publish to artifacts/ (supervisor, CLI, sample plugins)
#   ./build.sh run      publish, then run the supervisor on deploy/supervisor.json with the sample plugins
#   ./build.sh test     publish, then run every test; ends with "N passed, N failed"
#   ./build.sh bench    publish, then run the benchmarks (perf/; --quick for a one-minute smoke run);
#                       results in artifacts/bench/results.json; --soak [MINUTES] (default 10) runs only the soak:
#                       the host under calls, kills and rolls, read every minute (artifacts/bench/soak.json)
#   ./build.sh pack [VERSION]  the packages that ship (plugin-sdk/Packages.slnx: SDK, protocol, dotnet new templates;
#                       the supervisorctl dotnet tool; the Python SDK wheel; and the Node SDK's npm tarball, at its
#                       package.json version)
#                       into artifacts/packages; VERSION defaults to Directory.Build.props' version
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$PWD"
ARTIFACTS="$ROOT/artifacts"
CONFIGURATION="${CONFIGURATION:-Release}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

require_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET SDK 10 is required (dotnet not found on PATH); see https://dot.net" >&2
    exit 1
  fi
}

publish_plugin() { # name version project [extra msbuild args...]
  local name="$1" version="$2" project="$3"; shift 3
  dotnet publish "$project" -c "$CONFIGURATION" --nologo -v quiet -p:Version="$version" \
    -p:IntermediateOutputPath="obj/$CONFIGURATION-$version/" -o "$ARTIFACTS/plugins/$name/$version" "$@"
}

# Native AOT links with clang (Debian: clang lld zlib1g-dev); without it the native plugin is left out, loudly.
publish_native_plugin() { # name version project
  if ! command -v clang >/dev/null 2>&1; then
    echo "warning: clang not found: $1 $2 (Native AOT) is not published; install clang lld zlib1g-dev" >&2
    return 0
  fi
  publish_plugin "$@"
}

# Python plugins run on Debian's interpreter with its python3-grpcio and python3-protobuf (the package index is not
# reachable here). The folder is self-contained: the sample (an executable script named after the plugin, run by its
# #!/usr/bin/python3 line), its plugin.json and a copy of the SDK package, precompiled so the first start does not
# compile and the folder need not be writable.
PYTHON="${PYTHON:-/usr/bin/python3}"
publish_python_plugin() { # name version sample-folder
  local out="$ARTIFACTS/plugins/$1/$2"
  rm -rf "$out"
  mkdir -p "$out"
  cp -r "$3"/. "$out"/
  cp -r plugin-sdk/python/plugin_supervisor "$out"/
  find "$out" -name __pycache__ -prune -exec rm -rf {} +
  if ! "$PYTHON" -c 'import grpc, google.protobuf' >/dev/null 2>&1; then
    echo "warning: $PYTHON lacks grpcio or protobuf: $1 $2 is published but cannot run; apt-get install python3-grpcio python3-protobuf" >&2
  fi
  if [[ -x "$PYTHON" ]]; then "$PYTHON" -m compileall -q "$out" >/dev/null; fi
}

# The Node SDK's plugins (echo-node, conformance-node), bundled into one file each; they need only node >= 18 to run.
# Without node and npm they are left out, loudly, and the conformance suite fails naming what is missing.
publish_node_plugins() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "warning: node/npm not found: echo-node and conformance-node are not published; install nodejs npm (Node >= 18)" >&2
    return 0
  fi
  (
    cd plugin-sdk/node
    # npm ci only when the lock file changed since the last install: it wipes node_modules and takes seconds.
    if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
      npm ci --no-audit --no-fund --loglevel=error
    fi
    npm run --silent build >/dev/null
    npm run --silent samples -- "$ARTIFACTS/plugins" >/dev/null
  )
}

cmd_publish() {
  require_dotnet
  echo "==> building and publishing to $ARTIFACTS"
  dotnet build Supervisor.sln -c "$CONFIGURATION" --nologo -v quiet
  # The CLI first: it shares assemblies with the host, whose ReadyToRun copies must be the ones that stay.
  dotnet publish src/Supervisor.Cli -c "$CONFIGURATION" --nologo -v quiet --no-build -o "$ARTIFACTS/supervisor"
  # ReadyToRun for this machine: about a fifth off the start at no throughput cost (docs/performance.md, "Start-up").
  dotnet publish src/Supervisor.Host -c "$CONFIGURATION" --nologo -v quiet -p:SupervisorPublishMode=r2r -o "$ARTIFACTS/supervisor"
  publish_plugin echo 1.0.0 plugin-sdk/samples/Echo
  publish_plugin echo 2.0.0 plugin-sdk/samples/Echo
  publish_plugin chaos 1.0.0 plugin-sdk/samples/Chaos
  publish_plugin orders 1.0.0 tests/TestPlugins/OrderPlugin
  publish_plugin hostile 1.0.0 tests/TestPlugins/HostilePlugin
  publish_native_plugin echo-aot 1.0.0 plugin-sdk/samples/EchoAot
  # The echo as the dotnet new template publishes a JIT plugin (self-contained, trimmed, one ReadyToRun composite
  # image): the benchmark's figure for a template plugin's start, and for what that publish costs per call.
  publish_plugin echo-composite 1.0.0 plugin-sdk/samples/EchoComposite
  publish_python_plugin echo-python 1.0.0 plugin-sdk/python/samples/echo-python
  publish_python_plugin conformance-python 1.0.0 plugin-sdk/python/samples/conformance-python
  publish_plugin conformance-dotnet 1.0.0 tests/TestPlugins/Conformance
  publish_node_plugins
  echo "==> supervisor: $ARTIFACTS/supervisor/supervisor"
  echo "==> plugins:    $(cd "$ARTIFACTS/plugins" && find . -name plugin.json | sed 's|^\./||; s|/plugin.json$||' | sort | tr '\n' ' ')"
}

cmd_run() {
  cmd_publish
  echo "==> running: supervisor run --config deploy/supervisor.json (Ctrl+C to stop)"
  exec "$ARTIFACTS/supervisor/supervisor" run --config "$ROOT/deploy/supervisor.json"
}

cmd_test() {
  cmd_publish
  local results="$ARTIFACTS/test-results"
  rm -rf "$results"
  echo "==> testing"
  local status=0
  dotnet test tests/Supervisor.Tests -c "$CONFIGURATION" --nologo --no-build \
    --logger "trx;LogFileName=tests.trx" --results-directory "$results" || status=$?
  summarize "$results" || true
  return $status
}

summarize() { # prints "N passed, N failed" from the TRX counters
  local trx
  trx="$(find "$1" -name '*.trx' | head -n1)"
  if [[ -z "$trx" ]]; then echo "0 passed, 0 failed"; return 1; fi
  local counters passed failed
  counters="$(grep -o '<Counters [^>]*>' "$trx")"
  passed="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  failed="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  echo "${passed:-0} passed, ${failed:-0} failed"
}

cmd_pack() { # [version]
  require_dotnet
  echo "==> packing to $ARTIFACTS/packages"
  dotnet pack plugin-sdk/Packages.slnx -c "$CONFIGURATION" --nologo -v quiet -p:PackageOutputPath="$ARTIFACTS/packages" ${1:+"-p:Version=$1"}
  dotnet pack src/Supervisor.Cli -c "$CONFIGURATION" --nologo -v quiet -p:PackageOutputPath="$ARTIFACTS/packages" ${1:+"-p:Version=$1"}
  pack_python "${1:-}"
  # The Node SDK packs at plugin-sdk/node/package.json's version (npm pack runs its build first).
  (cd plugin-sdk/node && npm ci --no-audit --no-fund --loglevel=error && npm pack --silent --pack-destination "$ARTIFACTS/packages" >/dev/null)
  ls "$ARTIFACTS/packages"/*.nupkg "$ARTIFACTS/packages"/*.whl "$ARTIFACTS/packages"/*.tgz
}

# The Python SDK as a wheel, built offline with the interpreter's own setuptools (no build isolation, no index).
# It is built from a copy: setuptools leaves build/ and *.egg-info beside the sources it builds.
pack_python() { # [version], default Directory.Build.props' version like the NuGet packages
  local version="${1:-$(sed -n 's|.*<Version>\(.*\)</Version>.*|\1|p' Directory.Build.props | head -n1)}" work
  work="$(mktemp -d)"
  cp -r plugin-sdk/python/pyproject.toml plugin-sdk/python/README.md plugin-sdk/python/plugin_supervisor "$work"/
  find "$work" -name __pycache__ -prune -exec rm -rf {} +
  sed -i "s/^version = .*/version = \"$version\"/" "$work/pyproject.toml"
  sed -i "s/^__version__ = .*/__version__ = \"$version\"/" "$work/plugin_supervisor/__init__.py"
  "$PYTHON" -m pip wheel --quiet --no-deps --no-build-isolation --no-index -w "$ARTIFACTS/packages" "$work"
  rm -rf "$work"
}

cmd_bench() { # [--quick | --soak [MINUTES]] [--out PATH]: JSON on stdout and in artifacts/bench/results.json, a table on stderr
  cmd_publish
  dotnet run --project perf/Supervisor.Benchmarks -c "$CONFIGURATION" --no-build -- "$@"
}

case "${1:-build}" in
  build|publish) cmd_publish ;;
  run) cmd_run ;;
  test) cmd_test ;;
  bench) shift; cmd_bench "$@" ;;
  pack) shift; cmd_pack "$@" ;;
  -h|--help|help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) echo "unknown command '$1'; try ./build.sh --help" >&2; exit 64 ;;
esac
