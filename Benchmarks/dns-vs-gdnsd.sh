#!/usr/bin/env bash
# Meridian's DNS against gdnsd, side by side on this machine: the same dnsperf settings, the same
# steered name (api.example.test A), runs interleaved so that drift on the machine hits both alike.
#
#   Benchmarks/dns-vs-gdnsd.sh          (needs: apt-get install gdnsd dnsperf python3-dnspython)
#
# gdnsd is configured by ../shared/bench/peers/gdnsd_bench.sh (metafo over two health-checked
# datacenters, its configuration kept in $BENCH_WORK/gdnsd/etc); Meridian runs
# `meridian serve --region istanbul --director ist-a` on a copy of regions/ with stand-ins for its five gateways, and
# response-rate limiting on at a rate no single benchmark client reaches (RRL=off turns it off), so
# every answer pays for the limiter's count as it would in production. Both servers
# run at once; each round measures gdnsd and Meridian at dnsperf -T 1 and -T 2, alternating which goes
# first. ROUNDS (default 5) rounds of DNSPERF_LIMIT (default 10) seconds per measurement. Every
# process is stopped by its PID.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${PEERS:-$REPO/../shared/bench/peers}
ROUNDS=${ROUNDS:-5}
export DNSPERF_LIMIT=${DNSPERF_LIMIT:-10} RUNS=1
export BENCH_WORK=${BENCH_WORK:-/tmp/meridian-peers}
source "$PEERS/common.sh"
GDNSD_PORT=15353 MERIDIAN_PORT=10053

echo "== setting up gdnsd (its own bench script writes the configuration)"
LAT_RATES=1000 bash "$PEERS/gdnsd_bench.sh" lat >/dev/null 2>"$RES/gdnsd.setup.stderr"

echo "== building Meridian (release)"
cd "$REPO"
swift build -c release --product meridian >/dev/null 2>&1

cleanup() {
  set +e
  stop_bg meridian; for g in ist-1 ist-2 ank-1 ank-2 izm-1; do stop_bg "gw_$g"; done
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
# regions/ with RRL on at 100M answers/s per network (counted, never limited), or off.
REGIONS_COPY="$BENCH_WORK/meridian-regions"
rm -rf "$REGIONS_COPY" && cp -r regions "$REGIONS_COPY"
if [ "${RRL:-on}" = off ]; then rate=0; else rate=100000000; fi
printf '\ndns:\n  rate-limit: {responses-per-second: %s}\n' "$rate" >>"$REGIONS_COPY/global.yaml"
log "Meridian with response-rate limiting ${RRL:-on}"
start_bg meridian .build/release/meridian serve --region istanbul --director ist-a --regions "$REGIONS_COPY" --state "$BENCH_WORK/meridian-state" --log-level error
for _ in $(seq 100); do
  dig +short +time=1 +tries=1 -p $MERIDIAN_PORT @127.0.0.1 api.example.test A 2>/dev/null | grep -q '^127\.0\.1\.' && break
  sleep 0.1
done
dig +short -p $MERIDIAN_PORT @127.0.0.1 api.example.test A | grep -q '^127\.0\.1\.' || { echo "Meridian does not answer"; exit 1; }
printf 'api.example.test A\n' >"$PB/queries_api.txt"

# measure SERVER THREADS ROUND: one dnsperf run, its TSV line appended to $RES/<server>_T<threads>.tsv
measure() {
  local server=$1 threads=$2 round=$3 port pid
  if [ "$server" = gdnsd ]; then port=$GDNSD_PORT; else port=$MERIDIAN_PORT; fi
  pid=$(pid_of "$server")
  DNSPERF_THREADS=$threads dnsperf_max "$pid" "$port" "$PB/queries_api.txt" "$RES/${server}_api_round" >/dev/null
  sed "s/^1\t/$round\t/" "$RES/${server}_api_round.tsv" >>"$RES/${server}_T$threads.tsv"
}

for server in gdnsd meridian; do for threads in 1 2; do : >"$RES/${server}_T$threads.tsv"; done; done
for round in $(seq "$ROUNDS"); do
  order="gdnsd meridian"; [ $((round % 2)) = 0 ] && order="meridian gdnsd"
  for threads in 1 2; do
    for server in $order; do
      measure "$server" "$threads" "$round"
      log "round $round -T $threads $server: $(tail -1 "$RES/${server}_T$threads.tsv" | cut -f2) QPS"
    done
  done
done

echo "== latency percentiles at fixed rates (ms)"
for rate in 10000 50000; do
  for server in gdnsd meridian; do
    if [ "$server" = gdnsd ]; then port=$GDNSD_PORT; else port=$MERIDIAN_PORT; fi
    RUNS=1 LAT_QPS=$rate dnsperf_lat "$port" "$PB/queries_api.txt" "$RES/${server}_at${rate}_lat" >/dev/null
    printf '%-9s %6d QPS  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n' "$server" "$rate" \
      $(cut -f3-7 "$RES/${server}_at${rate}_lat.tsv")
  done
done

echo "== per run (QPS, lost, server CPU us/query)"
for server in gdnsd meridian; do for threads in 1 2; do
  printf '%-9s -T %s: %s\n' "$server" "$threads" \
    "$(awk -F'\t' '{printf "%s/%s/%.2f  ", $2, $5, $9}' "$RES/${server}_T$threads.tsv")"
done; done

echo "== side by side ($ROUNDS interleaved rounds of ${DNSPERF_LIMIT}s each)"
stats() { # FILE -> "median best lost best_us"
  local median
  median=$(cut -f2 "$1" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  awk -F'\t' -v median="$median" '{lost+=$5; if (us==""||$9<us) us=$9; if ($2>best) best=$2}
    END {printf "%d %d %d %.2f\n", median, best, lost, us}' "$1"
}
read -r g1 g1best g1lost g1us < <(stats "$RES/gdnsd_T1.tsv")
read -r g2 g2best g2lost g2us < <(stats "$RES/gdnsd_T2.tsv")
read -r m1 m1best m1lost m1us < <(stats "$RES/meridian_T1.tsv")
read -r m2 m2best m2lost m2us < <(stats "$RES/meridian_T2.tsv")
awk -v g1="$g1" -v g2="$g2" -v gb1="$g1best" -v gb2="$g2best" -v m1="$m1" -v m2="$m2" -v mb1="$m1best" -v mb2="$m2best" \
    -v gu1="$g1us" -v gu2="$g2us" -v mu1="$m1us" -v mu2="$m2us" -v gl=$((g1lost + g2lost)) -v ml=$((m1lost + m2lost)) 'BEGIN {
  printf "%-9s %12s %12s %12s %12s %10s %10s %6s\n", "", "median -T1", "median -T2", "best -T1", "best -T2", "us/q -T1", "us/q -T2", "lost"
  printf "%-9s %12d %12d %12d %12d %10.2f %10.2f %6d\n", "gdnsd", g1, g2, gb1, gb2, gu1, gu2, gl
  printf "%-9s %12d %12d %12d %12d %10.2f %10.2f %6d\n", "Meridian", m1, m2, mb1, mb2, mu1, mu2, ml
  bg = (gb1 > gb2 ? gb1 : gb2); bm = (mb1 > mb2 ? mb1 : mb2)
  gu = (gu1 < gu2 ? gu1 : gu2); mu = (mu1 < mu2 ? mu1 : mu2)
  printf "ratio Meridian/gdnsd: best QPS %.2fx, median -T1 %.2fx, median -T2 %.2fx, best CPU per query %.2fx\n", bm / bg, m1 / g1, m2 / g2, mu / gu
}'
