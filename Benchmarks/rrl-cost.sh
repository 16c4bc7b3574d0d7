#!/usr/bin/env bash
# What response-rate limiting costs the DNS fast path: two `meridian serve --region istanbul --director ist-a` side by
# side, one with RRL off and one with it on at a rate no benchmark client reaches (so every answer is
# counted, none limited), measured with the same dnsperf settings in interleaved rounds.
#
#   Benchmarks/rrl-cost.sh          (needs: apt-get install dnsperf dnsutils)
#
# ROUNDS (default 5) rounds of DNSPERF_LIMIT (default 10) seconds per server, at dnsperf -T 1 and
# -T 2, alternating which goes first; prints the medians and the ratio on/off. Every process is
# stopped by its PID.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${PEERS:-$REPO/../shared/bench/peers}
ROUNDS=${ROUNDS:-5}
export DNSPERF_LIMIT=${DNSPERF_LIMIT:-10} RUNS=1
export BENCH_WORK=${BENCH_WORK:-/tmp/meridian-peers}
source "$PEERS/common.sh"
declare -A PORT=([off]=10053 [on]=11053)

echo "== building Meridian (release)"
cd "$REPO"
swift build -c release --product meridian >/dev/null 2>&1

cleanup() {
  set +e
  stop_bg meridian_off; stop_bg meridian_on; for g in ist-1 ist-2 ank-1 ank-2 izm-1; do stop_bg "gw_$g"; done
}
trap cleanup EXIT

for gw in "ist-1 127.0.1.1" "ist-2 127.0.1.2" "ank-1 127.0.2.1" "ank-2 127.0.2.2" "izm-1 127.0.4.1"; do
  set -- $gw
  start_bg "gw_$1" .build/release/meridian gateway --name "$1" --listen "$2:18080" --log-level error
done
for mode in off on; do
  copy="$BENCH_WORK/rrl-$mode/regions"
  rm -rf "$BENCH_WORK/rrl-$mode" && mkdir -p "$copy" && cp regions/*.yaml "$copy/"
  if [ "$mode" = on ]; then
    sed -i 's/:10053/:11053/; s/:10080/:11080/; s/:10090/:11090/' "$copy/istanbul.yaml"
    rate=100000000
  else
    rate=0
  fi
  printf '\ndns:\n  rate-limit: {responses-per-second: %s}\n' "$rate" >>"$copy/global.yaml"
  start_bg "meridian_$mode" .build/release/meridian serve --region istanbul --director ist-a --regions "$copy" \
    --state "$BENCH_WORK/rrl-$mode/state" --log-level error
  for _ in $(seq 100); do
    dig +short +time=1 +tries=1 -p "${PORT[$mode]}" @127.0.0.1 api.example.test A 2>/dev/null | grep -q '^127\.0\.1\.' && break
    sleep 0.1
  done
  dig +short -p "${PORT[$mode]}" @127.0.0.1 api.example.test A | grep -q '^127\.0\.1\.' || { echo "Meridian ($mode) does not answer"; exit 1; }
done
printf 'api.example.test A\n' >"$PB/queries_api.txt"

for mode in off on; do for threads in 1 2; do : >"$RES/rrl_${mode}_T$threads.tsv"; done; done
for round in $(seq "$ROUNDS"); do
  order="off on"; [ $((round % 2)) = 0 ] && order="on off"
  for threads in 1 2; do
    for mode in $order; do
      DNSPERF_THREADS=$threads dnsperf_max "$(pid_of "meridian_$mode")" "${PORT[$mode]}" "$PB/queries_api.txt" \
        "$RES/rrl_${mode}_round" >/dev/null
      sed "s/^1\t/$round\t/" "$RES/rrl_${mode}_round.tsv" >>"$RES/rrl_${mode}_T$threads.tsv"
      log "round $round -T $threads RRL $mode: $(tail -1 "$RES/rrl_${mode}_T$threads.tsv" | cut -f2) QPS"
    done
  done
done

median() { cut -f2 "$1" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "== median QPS ($ROUNDS interleaved rounds of ${DNSPERF_LIMIT}s each)"
for threads in 1 2; do
  off=$(median "$RES/rrl_off_T$threads.tsv"); on=$(median "$RES/rrl_on_T$threads.tsv")
  awk -v t="$threads" -v off="$off" -v on="$on" 'BEGIN {
    printf "-T %s: RRL off %d, RRL on %d, on/off %.3f (cost %.1f%%)\n", t, off, on, on / off, 100 * (1 - on / off) }'
done
