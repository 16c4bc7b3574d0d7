#!/usr/bin/env bash
# Fuzzes the DNS decoder and responder with libFuzzer (DNSFuzz.swift beside this script).
#
#   Tests/Fuzz/run.sh [SECONDS]      (default 300; crashes go to Tests/Fuzz/findings/)
#
# Builds a throw-away package in $WORK that depends on this repository, with -sanitize=fuzzer,address.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SECONDS_TO_RUN=${1:-300}
WORK=${FUZZ_WORK:-/tmp/meridian-fuzz}
mkdir -p "$WORK/Sources/DNSFuzz" "$HERE/corpus" "$HERE/findings"
cp "$HERE/DNSFuzz.swift" "$WORK/Sources/DNSFuzz/"
cat >"$WORK/Package.swift" <<SWIFT
// swift-tools-version: 6.1
import PackageDescription
let package = Package(
    name: "MeridianFuzz",
    dependencies: [.package(path: "$REPO")],
    targets: [.executableTarget(name: "DNSFuzz", dependencies: [
        .product(name: "MeridianDNS", package: "$(basename "$REPO")"),
        .product(name: "MeridianCore", package: "$(basename "$REPO")"),
    ])],
    swiftLanguageModes: [.v6]
)
SWIFT
(cd "$WORK" && swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
# Seed the corpus with real queries (with and without EDNS and client subnet).
python3 - "$HERE/corpus" <<'PY'
import struct, sys
def name(n): return b"".join(bytes([len(l)]) + l.encode() for l in n.split(".")) + b"\0"
def query(n, t, edns, ecs):
    q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 1 if edns else 0) + name(n) + struct.pack(">HH", t, 1)
    if edns:
        opt = (struct.pack(">HH", 8, 7) + struct.pack(">HBB", 1, 24, 0) + bytes([10, 34, 7])) if ecs else b""
        q += b"\0" + struct.pack(">HHIH", 41, 1232, 0, len(opt)) + opt
    return q
seeds = [("api.example.test", 1, True, True), ("example.test", 2, False, False),
         ("_explain.api.example.test", 16, True, True), ("nope.example.test", 28, True, False)]
for i, seed in enumerate(seeds):
    open(f"{sys.argv[1]}/seed{i}", "wb").write(query(*seed))
PY
cd "$HERE"
MERIDIAN_REGIONS="$REPO/regions" "$WORK/.build/release/DNSFuzz" corpus -max_total_time="$SECONDS_TO_RUN" \
  -artifact_prefix=findings/ -print_final_stats=1
