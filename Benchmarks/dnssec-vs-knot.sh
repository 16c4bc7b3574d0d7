#!/usr/bin/env bash
# Meridian's signed answers against Knot DNS's (online-signed and pre-signed) and gdnsd's unsigned
# ones, side by side on this machine: the same dnsperf settings, runs interleaved round by round.
#
#   Benchmarks/dnssec-vs-knot.sh      (needs: apt-get install knot gdnsd dnsperf)
#
# Knot is configured by ../shared/bench/peers/knot_bench.sh's own write_config (ECDSA P-256;
# mod-onlinesign signs every answer live; `presigned` signs the zone ahead and answers from memory),
# one mode at a time on 127.0.0.1:15356; gdnsd by gdnsd_bench.sh (unsigned). Meridian runs twice on
# copies of regions/: ist-a signed (dnssec: on, a new ECDSA P-256 key) and ist-b unsigned, both with
# response-rate limiting at a rate no benchmark client reaches (so every answer pays for its count).
# Each round measures, with the DO bit (dnsperf -D) where signed:
#   (a) the steered name api.example.test A: Meridian signed, Knot pre-signed, Knot online-signed, gdnsd unsigned;
#   (b) 100,000 unique nonexistent names: Meridian signed, Knot online-signed, Knot pre-signed;
#   (c) api.example.test A without DO: Meridian signed against Meridian unsigned.
# ROUNDS (default 3) rounds of DNSPERF_LIMIT (default 5) seconds per measurement. Every process is
# stopped by its PID. `meridian-benchmarks core` prints the signer's signatures per second per core.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${PEERS:-$REPO/../shared/bench/peers}
ROUNDS=${ROUNDS:-3}
export DNSPERF_LIMIT=${DNSPERF_LIMIT:-5} RUNS=1
export BENCH_WORK=${BENCH_WORK:-/tmp/meridian-peers}
source "$PEERS/common.sh"
GDNSD_PORT=15353 KNOT_PORT=15356 SIGNED_PORT=10053 UNSIGNED_PORT=10153
# Knot's configuration, exactly as its bench script writes it.
source <(sed -n '/^write_config()/,/^}/p' "$PEERS/knot_bench.sh")
K=$PB/knot PORT=$KNOT_PORT

echo "== setting up gdnsd (its own bench script writes the configuration)"
LAT_RATES=1000 bash "$PEERS/gdnsd_bench.sh" lat >/dev/null 2>"$RES/gdnsd.setup.stderr"

echo "== building Meridian (release)"
cd "$REPO"
swift build -c release --product meridian >/dev/null 2>&1

cleanup() {
  set +e
  stop_bg signed; stop_bg unsigned; stop_bg knot; for g in ist-1 ist-2 ank-1 ank-2 izm-1; do stop_bg "gw_$g"; done
  stop_bg gdnsd; stop_backends
}
trap cleanup EXIT

start_backends
start_bg gdnsd gdnsd -c "$PB/gdnsd/etc" start
wait_dns 127.0.0.1 $GDNSD_PORT api.example.test 127.0.0.11
for gw in "ist-1 127.0.1.1" "ist-2 127.0.1.2" "ank-1 127.0.2.1" "ank-2 127.0.2.2" "izm-1 127.0.4.1"; do
  set -- $gw
  start_bg "gw_$1" .build/release/meridian gateway --name "$1" --listen "$2:18080" --log-level error
done
for copy in signed unsigned; do
  rm -rf "$BENCH_WORK/meridian-$copy" && cp -r regions "$BENCH_WORK/meridian-$copy"
  printf '\ndns:\n  rate-limit: {responses-per-second: 100000000}\n' >>"$BENCH_WORK/meridian-$copy/global.yaml"
done
printf '\ndnssec: on\n' >>"$BENCH_WORK/meridian-signed/global.yaml"
rm -rf "$BENCH_WORK/meridian-keys"
.build/release/meridian dnssec keygen --keys "$BENCH_WORK/meridian-keys" --regions "$BENCH_WORK/meridian-signed" >"$RES/meridian-key.txt"
start_bg signed .build/release/meridian serve --region istanbul --director ist-a --regions "$BENCH_WORK/meridian-signed" \
  --dnssec-keys "$BENCH_WORK/meridian-keys" --state "$BENCH_WORK/meridian-state-a" --log-level error
start_bg unsigned .build/release/meridian serve --region istanbul --director ist-b --regions "$BENCH_WORK/meridian-unsigned" \
  --state "$BENCH_WORK/meridian-state-b" --log-level error
for port in $SIGNED_PORT $UNSIGNED_PORT; do
  for _ in $(seq 100); do
    dig +short +time=1 +tries=1 -p $port @127.0.0.1 api.example.test A 2>/dev/null | grep -q '^127\.0\.1\.' && break
    sleep 0.1
  done
  dig +short -p $port @127.0.0.1 api.example.test A | grep -q '^127\.0\.1\.' || { echo "Meridian on $port does not answer"; exit 1; }
done
dig +dnssec +norec -p $SIGNED_PORT @127.0.0.1 api.example.test A >"$RES/meridian_signed_sample.txt"
grep -q RRSIG "$RES/meridian_signed_sample.txt" || { echo "Meridian's answer is not signed"; exit 1; }
printf 'api.example.test A\n' >"$PB/queries_api.txt"
[ -s "$PB/queries_nx100k.txt" ] || $PY -c '
import random
r = random.Random(7)
for i in range(100000): print("nx%08x.example.test A" % r.getrandbits(32))' >"$PB/queries_nx100k.txt"

# measure NAME PID PORT QUERIES DO: one dnsperf run, its QPS and CPU appended to $RES/NAME.tsv
measure() {
  local name=$1 pid=$2 port=$3 queries=$4 do=$5
  DNSPERF_EXTRA="$do" dnsperf_max "$pid" "$port" "$queries" "$RES/${name}_round" >/dev/null
  tail -1 "$RES/${name}_round.tsv" >>"$RES/$name.tsv"
  log "round $round $name: $(tail -1 "$RES/$name.tsv" | cut -f2) QPS"
}
meridian_round() {
  measure meridian_signed_api "$(pid_of signed)" $SIGNED_PORT "$PB/queries_api.txt" -D
  measure meridian_signed_nx "$(pid_of signed)" $SIGNED_PORT "$PB/queries_nx100k.txt" -D
  measure meridian_signed_api_do0 "$(pid_of signed)" $SIGNED_PORT "$PB/queries_api.txt" ""
  measure meridian_unsigned_api "$(pid_of unsigned)" $UNSIGNED_PORT "$PB/queries_api.txt" ""
}
knot_round() {
  for mode in presigned onlinesign; do
    write_config $mode >/dev/null
    start_bg knot knotd -c "$K/knot.conf"
    wait_dns 127.0.0.1 $KNOT_PORT api.example.test 127.0.0.11 || { cat "$RUN/knot.log"; exit 1; }
    for _ in $(seq 50); do dig +dnssec +norec -p $KNOT_PORT @127.0.0.1 api.example.test A | grep -q RRSIG && break; sleep 0.1; done
    measure knot_${mode}_api "$(pid_of knot)" $KNOT_PORT "$PB/queries_api.txt" -D
    measure knot_${mode}_nx "$(pid_of knot)" $KNOT_PORT "$PB/queries_nx100k.txt" -D
    stop_bg knot || log "knot ($mode) had already stopped"
  done
  measure gdnsd_api "$(pid_of gdnsd)" $GDNSD_PORT "$PB/queries_api.txt" ""
}

for f in meridian_signed_api meridian_signed_nx meridian_signed_api_do0 meridian_unsigned_api knot_presigned_api knot_presigned_nx \
         knot_onlinesign_api knot_onlinesign_nx gdnsd_api; do : >"$RES/$f.tsv"; done
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then meridian_round; knot_round; else knot_round; meridian_round; fi
done

median() { cut -f2 "$RES/$1.tsv" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
us() { cut -f9 "$RES/$1.tsv" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "== medians of $ROUNDS interleaved rounds of ${DNSPERF_LIMIT}s (QPS; server CPU us per query)"
for f in meridian_signed_api knot_presigned_api knot_onlinesign_api gdnsd_api meridian_signed_nx knot_onlinesign_nx knot_presigned_nx \
         meridian_signed_api_do0 meridian_unsigned_api; do
  printf '%-26s %8d QPS  %6.2f us/q\n' "$f" "$(median $f)" "$(us $f)"
done
awk -v ms="$(median meridian_signed_api)" -v kp="$(median knot_presigned_api)" -v g="$(median gdnsd_api)" \
    -v mn="$(median meridian_signed_nx)" -v ko="$(median knot_onlinesign_nx)" -v kpn="$(median knot_presigned_nx)" \
    -v m0="$(median meridian_signed_api_do0)" -v mu="$(median meridian_unsigned_api)" 'BEGIN {
  printf "(a) steered name, DO: Meridian signed / Knot pre-signed %.2fx, / gdnsd unsigned %.2fx\n", ms / kp, ms / g
  printf "(b) unique nonexistent names, DO: Meridian / Knot online-signed %.2fx, / Knot pre-signed %.2fx\n", mn / ko, mn / kpn
  printf "(c) DO=0 on the signed zone / unsigned Meridian: %.3fx\n", m0 / mu
}'
