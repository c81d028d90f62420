#!/usr/bin/env bash
# Regenerates plugin_supervisor/_protocol/*_pb2.py from protos/ (the repository's) and protos/grpc (health).
# The generated modules are checked in: the package then needs only grpcio and protobuf at run time and builds as a
# wheel offline. Debian's protoc (apt-get install protobuf-compiler, 3.21) matches Debian's python3-protobuf (4.21);
# python3-grpc-tools bundles protoc 3.5, whose older code style newer protobuf runtimes refuse.
# tests/test_protocol.py fails when a checked-in module no longer matches its .proto.
set -euo pipefail
cd "$(dirname "$0")"
out=plugin_supervisor/_protocol
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
protoc -I../../protos --python_out="$tmp" supervisor/plugin/v1/plugin.proto
protoc -Iprotos --python_out="$tmp" grpc/health/v1/health.proto
cp "$tmp/supervisor/plugin/v1/plugin_pb2.py" "$out/plugin_pb2.py"
cp "$tmp/grpc/health/v1/health_pb2.py" "$out/health_pb2.py"
echo "regenerated $out/plugin_pb2.py and $out/health_pb2.py"
