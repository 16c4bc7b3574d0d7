#!/usr/bin/env bash
# Failover side by side: gdnsd, PowerDNS and Meridian, each timed by the same harness
# (../shared/bench/peers/failover.py) on the same work, in one run.
#
#   Benchmarks/failover-vs-peers.sh    (needs: apt-get install gdnsd pdns-server pdns-backend-bind
#                                        dnsutils python3-dnspython)
#
# The harness kills (SIGKILL: connection refused) or hangs (SIGSTOP: connections still complete in
# the kernel, nothing answers) the Istanbul backend, a Python HTTP/1.0 server on 127.0.0.11, at a
# random phase, polls the DNS answer for api.example.test every 50 ms until it is Ankara's
# (127.0.0.12), restores the backend and times the move back. gdnsd and PowerDNS run with the tightest
# settings their bench scripts know (../shared/bench/peers/{gdnsd,pdns}_bench.sh failover-tight);
# Meridian runs two peering directors (Istanbul's, which the harness asks, and Ankara's) with the
# built-in probe settings, so Istanbul is down only once both directors see it down. REPS (default 10)
# repetitions per mode and server. Then `meridian-benchmarks failover REPS` times the same for every
# director's DNS and redirect answers, polled every 10 ms. Every process is stopped by its PID.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${PEERS:-$REPO/../shared/bench/peers}
REPS=${REPS:-10}
export BENCH_WORK=${BENCH_WORK:-/tmp/meridian-peers}
source "$PEERS/common.sh"
M=$PB/meridian
IST_DNS=15363 ANK_DNS=15364

echo "== building Meridian (release)"
cd "$REPO"
swift build -c release --product meridian >/dev/null 2>&1
swift build -c release --product meridian-benchmarks >/dev/null 2>&1

# The peers' own scripts set them up, run the harness and write $RES/<label>.json.
# They edit only their own files; both run the two modes with 10 repetitions.
for peer in gdnsd pdns; do
  echo "== $peer, tightest settings (its bench script: failover-tight)"
  bash "$PEERS/${peer}_bench.sh" failover-tight >"$RES/$peer.failover.stdout" 2>"$RES/$peer.failover.stderr" \
    || { tail -20 "$RES/$peer.failover.stderr"; exit 1; }
done

echo "== Meridian, two peering directors, built-in probe settings"
rm -rf "$M" && mkdir -p "$M/regions"
cat >"$M/regions/global.yaml" <<'EOF'
# Written by Benchmarks/failover-vs-peers.sh: the peers' work (two sites, one HTTP-checked backend each).
zone: example.test
probe:
  path: /health
services:
  api:
    ttl: 30s
    failback: off   # the peers send every client back at once; so does this run (the default ramps: 10 %, 50 %, all)
networks:
  local:
    cidr: [127.0.0.0/8]
    location: istanbul
EOF
cat >"$M/regions/istanbul.yaml" <<EOF
location: {lat: 41.0082, lon: 28.9784}
director: {dns: 127.0.0.1:$IST_DNS, redirect: 127.0.0.1:15373, api: 127.0.0.1:15383}
gateways:
  ist-1: {address: 127.0.0.11, probe: {port: 18081}}
EOF
cat >"$M/regions/ankara.yaml" <<EOF
location: {lat: 39.9334, lon: 32.8597}
director: {dns: 127.0.0.1:$ANK_DNS, redirect: 127.0.0.1:15374, api: 127.0.0.1:15384}
gateways:
  ank-1: {address: 127.0.0.12, probe: {port: 18082}}
EOF
.build/release/meridian check "$M/regions" >/dev/null

cleanup() {
  set +e
  stop_bg meridian_istanbul; stop_bg meridian_ankara; stop_backends
}
trap cleanup EXIT
start_backends
for region in istanbul ankara; do
  start_bg "meridian_$region" .build/release/meridian serve --region $region --regions "$M/regions" \
    --state "$M/state-$region" --insecure-loopback-keys --log-level warning
done
disown -a  # the harness kills the backend; stop_bg still stops everything by PID
wait_dns 127.0.0.1 $IST_DNS api.example.test 127.0.0.11
for mode in kill stop; do
  label=meridian_failover_$([ $mode = kill ] && echo kill || echo hung)
  $PY "$PEERS/failover.py" --port $IST_DNS --mode $mode --reps "$REPS" --phase-max 2 \
    --poll-ms 50 --max-wait 400 --label "$label" \
    --backend-cmd "$PY $PEERS/backend.py 127.0.0.11 18081 istanbul" \
    --pidfile "$RUN/be_istanbul.pid" --out "$RES/$label.json" >"$RES/$label.summary" 2>"$RES/$label.stderr"
done
cleanup

echo "== Meridian, every director's DNS and redirect answers (meridian-benchmarks failover $REPS)"
.build/release/meridian-benchmarks failover "$REPS" | tee "$RES/meridian_failover_benchmark.txt"

echo
echo "== failover and fail-back (s), the harness polling DNS every 50 ms; $REPS repetitions each"
$PY - "$RES" <<'EOF'
import json, sys
res = sys.argv[1]
rows = [("gdnsd 3.8 (tightest)", "gdnsd_failover_tight"), ("PowerDNS 4.7 LUA (tight)", "pdns_failover_tight"),
        ("Meridian (built-in)", "meridian_failover")]
def load(prefix, mode):
    with open(f"{res}/{prefix}_{mode}.json") as f:
        return json.load(f)
data = {prefix: {mode: load(prefix, mode) for mode in ("kill", "hung")} for _, prefix in rows}
def cell(summary):
    return "%.3f / %.3f" % (summary["median"], summary["max"]) if summary else "none"
print("%-26s %-18s %-18s %-18s %-18s" % ("server", "kill: median/max", "back after kill", "hang: median/max", "back after hang"))
for name, prefix in rows:
    d = data[prefix]
    print("%-26s %-18s %-18s %-18s %-18s" % (name, cell(d["kill"]["failover"]), cell(d["kill"]["failback"]),
                                             cell(d["hung"]["failover"]), cell(d["hung"]["failback"])))
m = data["meridian_failover"]
for name, prefix in rows[:2]:
    d = data[prefix]
    ratio = lambda mode: m[mode]["failover"]["median"] / d[mode]["failover"]["median"]
    print("Meridian / %s, median failover: kill %.2f×, hang %.2f×" % (name, ratio("kill"), ratio("hung")))
EOF
