#!/usr/bin/env bash
# Meridian's DNS against gdnsd, side by side on this machine, with the same dnsperf settings and
# the same steered name (api.example.test A).
#
#   Benchmarks/dns-vs-gdnsd.sh          (needs: apt-get install gdnsd dnsperf python3-dnspython)
#
# gdnsd is set up and measured by ../shared/bench/peers/gdnsd_bench.sh (metafo over two health-checked
# datacenters); Meridian runs `meridian serve --region istanbul` on regions/ with stand-in gateways for
# its four gateways. Both are driven by the shared dnsperf helpers (RUNS, DNSPERF_LIMIT as there), and
# every process is stopped by its PID.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${PEERS:-$REPO/../shared/bench/peers}
export RUNS=${RUNS:-3} DNSPERF_LIMIT=${DNSPERF_LIMIT:-20} LAT_RATES=${LAT_RATES:-10000}
export BENCH_WORK=${BENCH_WORK:-/tmp/meridian-peers}
source "$PEERS/common.sh"

echo "== gdnsd"
# GDNSD=reuse takes the figures of the last run from $BENCH_WORK instead of measuring again.
[ "${GDNSD:-run}" = reuse ] || bash "$PEERS/gdnsd_bench.sh" qps >/dev/null 2>"$RES/gdnsd.stderr"
gdnsd_t1=$(awk '/^median_qps/ {print $2}' "$RES/gdnsd_api_max.summary")
gdnsd_t2=$(awk '/^median_qps/ {print $2}' "$RES/gdnsd_api_T2_max.summary")
gdnsd_us=$(cut -f9 "$RES/gdnsd_api_T2_max.tsv" | sort -n | head -1)
cat "$RES/gdnsd_api_max.summary" "$RES/gdnsd_api_T2_max.summary"

echo "== Meridian"
cd "$REPO"
swift build -c release --product meridian >/dev/null 2>&1
for gw in "ist-1 127.0.1.1" "ist-2 127.0.1.2" "ank-1 127.0.2.1" "ank-2 127.0.2.2"; do
  set -- $gw
  start_bg "gw_$1" .build/release/meridian gateway --name "$1" --listen "$2:18080" --log-level error
done
start_bg meridian .build/release/meridian serve --region istanbul --log-level error
trap 'set +e; stop_bg meridian; for g in ist-1 ist-2 ank-1 ank-2; do stop_bg gw_$g; done; true' EXIT
for _ in $(seq 100); do
  dig +short +time=1 +tries=1 -p 10053 @127.0.0.1 api.example.test A 2>/dev/null | grep -q '^127\.0\.1\.' && break
  sleep 0.1
done
sleep 2
spid=$(pid_of meridian)
printf 'api.example.test A\n' >"$PB/queries_api.txt"
dnsperf_max "$spid" 10053 "$PB/queries_api.txt" "$RES/meridian_api_max" | tee "$RES/meridian_api_max.summary"
DNSPERF_THREADS=2 dnsperf_max "$spid" 10053 "$PB/queries_api.txt" "$RES/meridian_api_T2_max" | tee "$RES/meridian_api_T2_max.summary"
LAT_QPS=10000 dnsperf_lat 10053 "$PB/queries_api.txt" "$RES/meridian_api_at10000qps_lat" | tee "$RES/meridian_api_lat.summary"
meridian_t1=$(awk '/^median_qps/ {print $2}' "$RES/meridian_api_max.summary")
meridian_t2=$(awk '/^median_qps/ {print $2}' "$RES/meridian_api_T2_max.summary")
meridian_us=$(cut -f9 "$RES/meridian_api_T2_max.tsv" | sort -n | head -1)

echo "== side by side (median QPS; best CPU µs per query at -T 2)"
awk -v g1="$gdnsd_t1" -v g2="$gdnsd_t2" -v m1="$meridian_t1" -v m2="$meridian_t2" -v gu="$gdnsd_us" -v mu="$meridian_us" 'BEGIN {
  printf "%-10s %12s %12s %14s\n", "", "QPS -T 1", "QPS -T 2", "CPU us/query"
  printf "%-10s %12d %12d %14.2f\n", "gdnsd", g1, g2, gu
  printf "%-10s %12d %12d %14.2f\n", "Meridian", m1, m2, mu
  best_g = (g1 > g2 ? g1 : g2); best_m = (m1 > m2 ? m1 : m2)
  printf "ratio (Meridian / gdnsd): best QPS %.2fx, CPU per query %.2fx\n", best_m / best_g, mu / gu
}'
