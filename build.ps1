#!/usr/bin/env pwsh
# Windows/PowerShell mirror of build.sh: the same commands, the same artifacts.
#   ./build.ps1          build everything and publish to artifacts/
#   ./build.ps1 run      publish, then run the supervisor on deploy/supervisor.json
#   ./build.ps1 test     publish, then run every test; ends with "N passed, N failed"
#   ./build.ps1 bench    publish, then run the benchmarks (perf/; --quick for a smoke run, --soak [MINUTES] for the soak alone)
#   ./build.ps1 pack [VERSION]  the packages that ship (plugin-sdk/Packages.slnx, the supervisorctl tool, the Python SDK wheel, the Node SDK's npm tarball) into artifacts/packages
# Note: the supervisor itself needs Unix domain sockets and POSIX signals (Linux, macOS, WSL).
param([string]$Command = "build", [Parameter(ValueFromRemainingArguments = $true)][string[]]$Rest)
$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot
$Artifacts = Join-Path $PSScriptRoot "artifacts"
$Configuration = if ($env:CONFIGURATION) { $env:CONFIGURATION } else { "Release" }

function Invoke-Checked { & $args[0] $args[1..($args.Length - 1)]; if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE } }

function Publish-Plugin($Name, $Version, $Project) {
  Invoke-Checked dotnet publish $Project -c $Configuration --nologo -v quiet "-p:Version=$Version" `
    "-p:IntermediateOutputPath=obj/$Configuration-$Version/" -o (Join-Path $Artifacts "plugins/$Name/$Version")
}

# Native AOT links with clang (Debian: clang lld zlib1g-dev); without it the native plugin is left out, loudly.
function Publish-NativePlugin($Name, $Version, $Project) {
  if (-not (Get-Command clang -ErrorAction SilentlyContinue)) {
    Write-Warning "clang not found: $Name $Version (Native AOT) is not published; install clang lld zlib1g-dev"
    return
  }
  Publish-Plugin $Name $Version $Project
}

# Python plugins run on Debian's interpreter with its python3-grpcio and python3-protobuf. The folder is self-contained:
# the sample (an executable script named after the plugin), its plugin.json and a copy of the SDK package, precompiled
# (see build.sh).
$Python = if ($env:PYTHON) { $env:PYTHON } else { "/usr/bin/python3" }
function Publish-PythonPlugin($Name, $Version, $Sample) {
  $out = Join-Path $Artifacts "plugins/$Name/$Version"
  Remove-Item $out -Recurse -Force -ErrorAction SilentlyContinue
  New-Item -ItemType Directory -Force $out | Out-Null
  Copy-Item (Join-Path $Sample "*") $out -Recurse
  Copy-Item plugin-sdk/python/plugin_supervisor $out -Recurse
  Get-ChildItem $out -Directory -Recurse -Filter __pycache__ | Remove-Item -Recurse -Force
  & $Python -c "import grpc, google.protobuf" 2>$null
  if ($LASTEXITCODE -ne 0) {
    Write-Warning "$Python lacks grpcio or protobuf: $Name $Version is published but cannot run; apt-get install python3-grpcio python3-protobuf"
  }
  Invoke-Checked $Python -m compileall -q $out
}

# The Python SDK as a wheel, built offline from a copy (setuptools leaves build/ and *.egg-info beside its sources).
function New-PythonWheel($Version) {
  if (-not $Version) { $Version = ([xml](Get-Content Directory.Build.props)).Project.PropertyGroup.Version | Where-Object { $_ } | Select-Object -First 1 }
  $work = Join-Path ([IO.Path]::GetTempPath()) ([IO.Path]::GetRandomFileName())
  New-Item -ItemType Directory $work | Out-Null
  Copy-Item plugin-sdk/python/pyproject.toml, plugin-sdk/python/README.md $work
  Copy-Item plugin-sdk/python/plugin_supervisor $work -Recurse
  Get-ChildItem $work -Directory -Recurse -Filter __pycache__ | Remove-Item -Recurse -Force
  (Get-Content (Join-Path $work "pyproject.toml")) -replace '^version = .*', "version = `"$Version`"" | Set-Content (Join-Path $work "pyproject.toml")
  $init = Join-Path $work "plugin_supervisor/__init__.py"
  (Get-Content $init) -replace '^__version__ = .*', "__version__ = `"$Version`"" | Set-Content $init
  Invoke-Checked $Python -m pip wheel --quiet --no-deps --no-build-isolation --no-index -w (Join-Path $Artifacts "packages") $work
  Remove-Item $work -Recurse -Force
}

# The Node SDK's plugins (echo-node, conformance-node), bundled into one file each; without node and npm they are left out, loudly.
function Publish-NodePlugins {
  if (-not (Get-Command node -ErrorAction SilentlyContinue) -or -not (Get-Command npm -ErrorAction SilentlyContinue)) {
    Write-Warning "node/npm not found: echo-node and conformance-node are not published; install nodejs npm (Node >= 18)"
    return
  }
  Push-Location plugin-sdk/node
  try {
    $lock = Get-Item package-lock.json
    $installed = Get-Item node_modules/.package-lock.json -ErrorAction SilentlyContinue
    if (-not $installed -or $lock.LastWriteTime -gt $installed.LastWriteTime) { Invoke-Checked npm ci --no-audit --no-fund --loglevel=error }
    Invoke-Checked npm run --silent build
    Invoke-Checked npm run --silent samples -- (Join-Path $Artifacts "plugins")
  } finally { Pop-Location }
}

function Publish-All {
  Invoke-Checked dotnet build Supervisor.sln -c $Configuration --nologo -v quiet
  # The CLI first: the host's ReadyToRun copies of the assemblies they share must be the ones that stay.
  Invoke-Checked dotnet publish src/Supervisor.Cli -c $Configuration --nologo -v quiet --no-build -o (Join-Path $Artifacts "supervisor")
  Invoke-Checked dotnet publish src/Supervisor.Host -c $Configuration --nologo -v quiet -p:SupervisorPublishMode=r2r -o (Join-Path $Artifacts "supervisor")
  Publish-Plugin echo 1.0.0 plugin-sdk/samples/Echo
  Publish-Plugin echo 2.0.0 plugin-sdk/samples/Echo
  Publish-Plugin chaos 1.0.0 plugin-sdk/samples/Chaos
  Publish-Plugin orders 1.0.0 tests/TestPlugins/OrderPlugin
  Publish-Plugin hostile 1.0.0 tests/TestPlugins/HostilePlugin
  Publish-NativePlugin echo-aot 1.0.0 plugin-sdk/samples/EchoAot
  Publish-PythonPlugin echo-python 1.0.0 plugin-sdk/python/samples/echo-python
  Publish-PythonPlugin conformance-python 1.0.0 plugin-sdk/python/samples/conformance-python
  Publish-Plugin conformance-dotnet 1.0.0 tests/TestPlugins/Conformance
  Publish-NodePlugins
}

function New-Packages($Version) {
  $versionArg = if ($Version) { @("-p:Version=$Version") } else { @() }
  Invoke-Checked dotnet pack plugin-sdk/Packages.slnx -c $Configuration --nologo -v quiet "-p:PackageOutputPath=$(Join-Path $Artifacts 'packages')" @versionArg
  Invoke-Checked dotnet pack src/Supervisor.Cli -c $Configuration --nologo -v quiet "-p:PackageOutputPath=$(Join-Path $Artifacts 'packages')" @versionArg
  New-PythonWheel $Version
  Push-Location plugin-sdk/node
  try {
    Invoke-Checked npm ci --no-audit --no-fund --loglevel=error
    Invoke-Checked npm pack --silent --pack-destination (Join-Path $Artifacts "packages")
  } finally { Pop-Location }
}

function Show-Summary($Results) {
  $trx = Get-ChildItem $Results -Filter *.trx -Recurse | Select-Object -First 1
  if (-not $trx) { "0 passed, 0 failed"; return }
  $counters = ([xml](Get-Content $trx.FullName)).TestRun.ResultSummary.Counters
  "$($counters.passed) passed, $($counters.failed) failed"
}

switch ($Command) {
  { $_ -in "build", "publish" } { Publish-All }
  "run" { Publish-All; & (Join-Path $Artifacts "supervisor/supervisor") run --config (Join-Path $PSScriptRoot "deploy/supervisor.json") }
  "test" {
    Publish-All
    $results = Join-Path $Artifacts "test-results"
    Remove-Item $results -Recurse -ErrorAction SilentlyContinue
    dotnet test tests/Supervisor.Tests -c $Configuration --nologo --no-build --logger "trx;LogFileName=tests.trx" --results-directory $results
    $status = $LASTEXITCODE
    Show-Summary $results
    exit $status
  }
  "pack" { New-Packages $Rest[0] }
  "bench" { Publish-All; Invoke-Checked dotnet run --project perf/Supervisor.Benchmarks -c $Configuration --no-build -- @Rest }
  default { Write-Error "unknown command '$Command'; see the header of build.ps1" ; exit 64 }
}
