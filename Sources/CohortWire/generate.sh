#!/usr/bin/env bash
# Regenerates Sources/CohortWire/Generated/*.swift from Sources/CohortWire/Protos/*.proto.
#
# Usage:  Sources/CohortWire/generate.sh [TOOLS_DIR]
#
# Needs `protoc` (Debian: apt-get install protobuf-compiler). The two protoc plugins are built
# from source, pinned to the versions the package uses, in a scratch package in TOOLS_DIR
# (default: ${COHORT_PROTOC_TOOLS:-$TMPDIR/cohort-protoc-tools}); the main build never runs the
# protoc build plugin. The generated files are committed.
set -euo pipefail

SWIFT_PROTOBUF_VERSION="1.39.0"
GRPC_SWIFT_PROTOBUF_VERSION="2.4.1"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools="${1:-${COHORT_PROTOC_TOOLS:-${TMPDIR:-/tmp}/cohort-protoc-tools}}"

command -v protoc >/dev/null || { echo "generate.sh: protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }

mkdir -p "$tools"
cat > "$tools/Package.swift" <<MANIFEST
// swift-tools-version:6.1
// Scratch package that only exists to build the protoc plugins at pinned versions.
import PackageDescription
let package = Package(
    name: "CohortProtocTools",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", exact: "${SWIFT_PROTOBUF_VERSION}"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", exact: "${GRPC_SWIFT_PROTOBUF_VERSION}"),
    ],
    targets: []
)
MANIFEST

(cd "$tools" && swift build -c release --product protoc-gen-swift && swift build -c release --product protoc-gen-grpc-swift-2)
bin="$(cd "$tools" && swift build -c release --show-bin-path)"

out="$here/Generated"
mkdir -p "$out"
rm -f "$out"/*.swift
protoc \
  --proto_path="$here/Protos" \
  --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
  --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2" \
  --swift_out="$out" \
  --swift_opt=Visibility=Public \
  --grpc-swift_out="$out" \
  --grpc-swift_opt=Visibility=Public,Client=true,Server=true \
  "$here"/Protos/*.proto
echo "generated:"; ls -1 "$out"
