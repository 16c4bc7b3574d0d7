#!/usr/bin/env bash
# Fuzzes a decoder with libFuzzer: `dns` (DNSFuzz.swift: the DNS decoder and responder), `dns-stream`
# (DNSStreamFuzz.swift: DNS over TCP, framed from pieces and answered as the TCP listener does),
# `http` (HTTPFuzz.swift: the request-head parser and the redirect responder), `peer`
# (PeerFuzz.swift: the peer report decoder and the check a director makes before taking a report)
# or `exchange` (ExchangeFuzz.swift: the exchange's binary frame decoder with its zlib inflating, its
# check, and the ledger that takes a stream of frames).
#
#   Tests/Fuzz/run.sh dns|dns-stream|http|peer|exchange [SECONDS] [LIBFUZZER FLAGS...]
#
# SECONDS defaults to 300; crashes go to Tests/Fuzz/findings/TARGET/. Further flags go to libFuzzer
# (for streams of 64 KiB messages: -max_len=140000).
#
# Builds a throw-away package in $WORK that depends on this repository, with -sanitize=fuzzer,address.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
TARGET=${1:?usage: run.sh dns|dns-stream|http|peer|exchange [SECONDS]}
SECONDS_TO_RUN=${2:-300}
WORK=${FUZZ_WORK:-/tmp/meridian-fuzz}
case $TARGET in
  dns) NAME=DNSFuzz ;;
  dns-stream) NAME=DNSStreamFuzz ;;
  http) NAME=HTTPFuzz ;;
  peer) NAME=PeerFuzz ;;
  exchange) NAME=ExchangeFuzz ;;
  *) echo "unknown target $TARGET (dns, dns-stream, http, peer or exchange)" >&2; exit 2 ;;
esac
CORPUS=$HERE/corpus/$TARGET FINDINGS=$HERE/findings/$TARGET
mkdir -p "$CORPUS" "$FINDINGS"
# Each harness is a target of its own: its file, libFuzzer's driver, and for DNS the shared world.
for harness in DNSFuzz DNSStreamFuzz HTTPFuzz PeerFuzz ExchangeFuzz; do
  mkdir -p "$WORK/Sources/$harness"
  cp "$HERE/$harness.swift" "$HERE/FuzzDriver.swift" "$WORK/Sources/$harness/"
  case $harness in DNS*) cp "$HERE/FuzzWorld.swift" "$WORK/Sources/$harness/" ;; esac
done
cat >"$WORK/Package.swift" <<SWIFT
// swift-tools-version: 6.1
import PackageDescription
let package = Package(
    name: "MeridianFuzz",
    dependencies: [.package(path: "$REPO")],
    targets: [
        .executableTarget(name: "DNSFuzz", dependencies: [
            .product(name: "MeridianDNS", package: "$(basename "$REPO")"),
            .product(name: "MeridianCore", package: "$(basename "$REPO")"),
        ]),
        .executableTarget(name: "DNSStreamFuzz", dependencies: [
            .product(name: "MeridianDNS", package: "$(basename "$REPO")"),
            .product(name: "MeridianCore", package: "$(basename "$REPO")"),
        ]),
        .executableTarget(name: "HTTPFuzz", dependencies: [
            .product(name: "MeridianHTTP", package: "$(basename "$REPO")"),
            .product(name: "MeridianCore", package: "$(basename "$REPO")"),
        ]),
        .executableTarget(name: "PeerFuzz", dependencies: [
            .product(name: "MeridianCore", package: "$(basename "$REPO")"),
        ]),
        .executableTarget(name: "ExchangeFuzz", dependencies: [
            .product(name: "MeridianCore", package: "$(basename "$REPO")"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
SWIFT
(cd "$WORK" && swift build -c release --product "$NAME" -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
# Seed the corpus with real requests.
python3 - "$CORPUS" "$TARGET" <<'PY'
import struct, sys
out, target = sys.argv[1], sys.argv[2]
if target.startswith("dns"):
    def name(n): return b"".join(bytes([len(l)]) + l.encode() for l in n.split(".")) + b"\0"
    def query(n, t, edns, ecs):
        q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 1 if edns else 0) + name(n) + struct.pack(">HH", t, 1)
        if edns:
            opt = (struct.pack(">HH", 8, 7) + struct.pack(">HBB", 1, 24, 0) + bytes([10, 34, 7])) if ecs else b""
            q += b"\0" + struct.pack(">HHIH", 41, 1232, 0, len(opt)) + opt
        return q
    seeds = [query("api.example.test", 1, True, True), query("example.test", 2, False, False),
             query("_explain.api.example.test", 16, True, True), query("nope.example.test", 28, True, False)]
elif target == "peer":
    now = 1_800_000_000_000_000_000
    def observation(gateway, at, latency):
        return ('{"gateway":"%s","observer":"ankara","verdict":"down","latency":[0,%d],'
                '"consecutiveSuccesses":0,"consecutiveFailures":3,"at":{"nanosecondsSinceEpoch":%d}}' % (gateway, latency, at))
    def write(target, set_at, cleared):
        return ('{"override":{"target":{"%s":{"_0":"%s"}},"action":"drain","reason":"maintenance","author":"ops",'
                '"setAt":{"nanosecondsSinceEpoch":%d},"expiresAt":{"nanosecondsSinceEpoch":%d}},"cleared":%s}'
                % (target[0], target[1], set_at, set_at + 600 * 10**9, "true" if cleared else "false"))
    def report(observations, writes):
        return ('{"from":"ankara","sentAt":{"nanosecondsSinceEpoch":%d},"fingerprint":"fnv1a64:511fb89e8d8f5454",'
                '"observations":[%s],"overrides":[%s]}' % (now, ",".join(observations), ",".join(writes))).encode()
    seeds = [report([observation("ist-1", now - 10**9, 12 * 10**15), observation("ank-1", now, 3 * 10**15)], []),
             report([observation("ank-2", now, 9 * 10**15)], [write(("region", "istanbul"), now - 10**9, False),
                                                              write(("gateway", "ank-1"), now - 90000 * 10**9, True)]),
             report([], [write(("region", "ankara"), now + 10**9, True)])]
elif target == "exchange":  # frames as ExchangeFrame+Encoding.swift describes them, each behind a 2-byte length
    import zlib
    now = 1_800_000_000_000_000_000
    def varint(v):
        out = b""
        while v >= 0x80:
            out += bytes([v & 0x7F | 0x80]); v >>= 7
        return out + bytes([v])
    def time(ns): return varint((ns << 1) ^ (ns >> 63))
    def name(n): return bytes([len(n)]) + n.encode()
    def text(t): return varint(len(t.encode())) + t.encode()
    def observation(gateway, verdict, steps):
        return b"\0" + name(gateway) + (bytes([verdict | 4]) + varint(steps) if steps is not None else bytes([verdict]))
    def write(kind, target, action, cleared, expires):
        return (b"\1" + bytes([kind]) + name(target) + bytes([action | (4 if cleared else 0) | (8 if expires else 0)])
                + text("maintenance") + text("ops") + time(now - 10**9) + (time(now + 600 * 10**9) if expires else b""))
    def frame(kind, body, epoch=7, deflate=False):
        payload = bytes([kind]) + varint(epoch) + time(now) + body
        if deflate:
            return b"\3\1" + varint(len(payload)) + zlib.compress(payload)
        return b"\3\0" + payload
    def changes(items): return varint(len(items)) + b"".join(items)
    snapshot = frame(2, varint(4) + changes([observation("ank-1", 0, 120), observation("ist-1", 1, None),
                                             write(0, "istanbul", 1, False, True), write(1, "ank-2", 0, True, False)]), deflate=True)
    delta = frame(1, varint(4) + varint(6) + changes([observation("ank-1", 2, 90000), b"\2" + name("ist-1"),
                                                      b"\3\0" + name("istanbul")]))
    heartbeat = frame(0, varint(6) + bytes(8) + b"\1" + varint(3) + varint(2) + varint(9) + bytes([32]) + bytes(range(32)))
    requests = [frame(3, b"\0"), frame(3, b"\1" + varint(3) + varint(2))]
    def stream(frames): return b"".join(len(f).to_bytes(2, "big") + f for f in frames)
    seeds = [stream([snapshot, delta, heartbeat]), stream([delta, heartbeat] + requests), stream([snapshot, frame(2, varint(9) + changes([]), epoch=8)])]
else:
    seeds = [b"GET /v1/orders?id=7 HTTP/1.1\r\nHost: go.example.test\r\nX-Forwarded-For: 10.6.1.1, 10.0.0.1\r\n\r\n",
             b"HEAD /a%20b?meridian=json HTTP/1.0\r\nHost: GO.example.test:80\r\nAccept: application/json\r\n\r\n",
             b"POST http://go.example.test/x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nForwarded: for=\"[2001:db8:6::1]:80\"\r\n\r\nabc",
             b"GET //evil.example/%0d%0a HTTP/1.1\r\nHost: go.example.test\r\nConnection: close\r\n\r\n"]
if target == "dns-stream":  # pipelined, framed: all the seeds in one stream, and each alone
    framed = [bytes([0x2A]) + struct.pack(">H", len(s)) + s for s in seeds]
    seeds = framed + [bytes([0x2A]) + b"".join(f[1:] for f in framed)]
for i, seed in enumerate(seeds):
    open(f"{out}/seed{i}", "wb").write(seed)
PY
cd "$HERE"
MERIDIAN_REGIONS="$REPO/regions" "$WORK/.build/release/$NAME" "$CORPUS" -max_total_time="$SECONDS_TO_RUN" \
  -artifact_prefix="$FINDINGS/" -print_final_stats=1 "${@:3}"
