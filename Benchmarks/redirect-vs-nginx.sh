#!/usr/bin/env bash
# Meridian's HTTP redirector against nginx answering `return 302`, side by side on this machine: the
# same wrk settings, keep-alive and a new connection per request, runs interleaved so that drift on
# the machine hits both alike.
#
#   Benchmarks/redirect-vs-nginx.sh          (needs: apt-get install nginx-light wrk)
#   TLS=1 Benchmarks/redirect-vs-nginx.sh    (or Benchmarks/redirect-tls-vs-nginx.sh): the same over HTTPS,
#       both with one ECDSA P-256 certificate made here, TLS 1.2 and 1.3, session tickets on; Meridian
#       serves a copy of regions/ with `tls:` and ist-a's `redirect-tls: 127.0.0.1:10443`.
#
# nginx is set up as ../shared/bench/peers/nginx_bench.sh sets it up (one worker,
# `location / { return 302 https://istanbul.example.test$request_uri; }`, 127.0.0.1:18090);
# Meridian runs `meridian serve --region istanbul --director ist-a` on regions/ with stand-ins for its five gateways
# and is asked with `Host: go.example.test`. ROUNDS (default 5) rounds of WRK_DUR (default 10)
# seconds per measurement, wrk -t1 -c64. Every process is stopped by its PID.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${PEERS:-$REPO/../shared/bench/peers}
ROUNDS=${ROUNDS:-5} WRK_DUR=${WRK_DUR:-10}
export BENCH_WORK=${BENCH_WORK:-/tmp/meridian-peers}
source "$PEERS/common.sh"
N=$PB/nginx NGINX_PORT=18090 MERIDIAN_PORT=10080
PATH_AND_QUERY="/v1/orders?id=42"
TLS=${TLS:-0} SCHEME=http REGIONS=$REPO/regions LISTEN="listen 127.0.0.1:$NGINX_PORT;"
mkdir -p "$N/tmp" "$N/logs"
if [ "$TLS" = 1 ]; then
  SCHEME=https MERIDIAN_PORT=10443 CERT=$N/tls-cert.pem KEY=$N/tls-key.pem REGIONS=$N/tls-regions
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=go.example.test \
    -addext subjectAltName=DNS:go.example.test -keyout "$KEY" -out "$CERT" 2>/dev/null
  LISTEN="listen 127.0.0.1:$NGINX_PORT ssl; ssl_certificate $CERT; ssl_certificate_key $KEY; ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_tickets on; ssl_session_cache shared:S:10m;"
  rm -rf "$REGIONS"; cp -r "$REPO/regions" "$REGIONS"
  printf '\ntls:\n  - {certificate: %s, key: %s}\n' "$CERT" "$KEY" >>"$REGIONS/global.yaml"
  sed -i 's|^    redirect: 127.0.0.1:10080 .*|&\n    redirect-tls: 127.0.0.1:10443|' "$REGIONS/istanbul.yaml"
fi

echo "== building Meridian (release)"
cd "$REPO"
swift build -c release --product meridian >/dev/null 2>&1

cat >"$N/nginx.conf" <<CONF
worker_processes 1;
pid $N/nginx.pid;
error_log $N/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $N/tmp/body;
  proxy_temp_path $N/tmp/proxy;
  fastcgi_temp_path $N/tmp/fastcgi;
  uwsgi_temp_path $N/tmp/uwsgi;
  scgi_temp_path $N/tmp/scgi;
  keepalive_requests 1000000;
  server {
    $LISTEN
    location / { return 302 https://istanbul.example.test\$request_uri; }
  }
}
CONF

cleanup() {
  set +e
  stop_bg meridian; for g in ist-1 ist-2 ank-1 ank-2 izm-1; do stop_bg "gw_$g"; done
  stop_bg nginx
}
trap cleanup EXIT

start_bg nginx nginx -p "$N" -e "$N/logs/error.log" -c "$N/nginx.conf" -g 'daemon off;'
wait_tcp 127.0.0.1 $NGINX_PORT
for gw in "ist-1 127.0.1.1" "ist-2 127.0.1.2" "ank-1 127.0.2.1" "ank-2 127.0.2.2" "izm-1 127.0.4.1"; do
  set -- $gw
  start_bg "gw_$1" .build/release/meridian gateway --name "$1" --listen "$2:18080" --log-level error
done
start_bg meridian .build/release/meridian serve --regions "$REGIONS" --region istanbul --director ist-a --log-level error ${MERIDIAN_ARGS:-}
wait_tcp 127.0.0.1 $MERIDIAN_PORT
for _ in $(seq 100); do
  curl -ks -o /dev/null -w '%{redirect_url}' -H 'Host: go.example.test' "$SCHEME://127.0.0.1:$MERIDIAN_PORT$PATH_AND_QUERY" \
    | grep -q '^https://ist.api.example.test/v1/orders?id=42$' && break
  sleep 0.1
done
echo "nginx:";    curl -ksS -D - -o /dev/null "$SCHEME://127.0.0.1:$NGINX_PORT$PATH_AND_QUERY"
echo "Meridian:"; curl -ksS -D - -o /dev/null -H 'Host: go.example.test' "$SCHEME://127.0.0.1:$MERIDIAN_PORT$PATH_AND_QUERY"

# measure SERVER MODE ROUND: one wrk run; appends "round rps p50 p90 p99 cpu_us_per_request errors"
measure() {
  local server=$1 mode=$2 round=$3 port pid out c0 c1
  if [ "$server" = nginx ]; then port=$NGINX_PORT; else port=$MERIDIAN_PORT; fi
  pid=$(pid_of "$server")
  out="$RES/redirect_${server}_${mode}.run$round.txt"
  local extra=()
  [ "$mode" = close ] && extra=(-H "Connection: close")
  c0=$(cpu_s "$pid")
  wrk -t1 -c64 -d"${WRK_DUR}s" --latency -H 'Host: go.example.test' "${extra[@]}" \
    "$SCHEME://127.0.0.1:$port$PATH_AND_QUERY" >"$out" 2>&1
  c1=$(cpu_s "$pid")
  awk -v c0="$c0" -v c1="$c1" -v r="$round" '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec:/ {rps=$2}
    /^     50%/ {p50=ms($2)} /^     90%/ {p90=ms($2)} /^     99%/ {p99=ms($2)}
    /requests in/ {n=$1}
    /Non-2xx or 3xx/ {bad=$NF}
    /Socket errors/ {err=$0; gsub(/ +/, " ", err)}
    END {printf "%d\t%.0f\t%.3f\t%.3f\t%.3f\t%.2f\t%s\n", r, rps, p50, p90, p99, (n>0?1e6*(c1-c0)/n:0), (err==""?"-":err)}
  ' "$out" >>"$RES/redirect_${server}_${mode}.tsv"
  sleep 1
}

for server in nginx meridian; do for mode in keepalive close; do : >"$RES/redirect_${server}_${mode}.tsv"; done; done
for round in $(seq "$ROUNDS"); do
  order="nginx meridian"; [ $((round % 2)) = 0 ] && order="meridian nginx"
  for mode in keepalive close; do
    for server in $order; do
      measure "$server" "$mode" "$round"
      log "round $round $mode $server: $(tail -1 "$RES/redirect_${server}_${mode}.tsv" | cut -f2) req/s"
    done
  done
done

echo "== per run (req/s, p50/p90/p99 ms, server CPU us/request, socket errors)"
for server in nginx meridian; do for mode in keepalive close; do
  echo "$server $mode:"; sed 's/^/  /' "$RES/redirect_${server}_${mode}.tsv"
done; done

echo "== side by side over $SCHEME ($ROUNDS interleaved rounds of ${WRK_DUR}s each, wrk -t1 -c64)"
stats() { # FILE -> "median best best_us p50 p99" (latencies of the median run)
  sort -t$'\t' -k2,2n "$1" | awk -F'\t' '{r[NR]=$0; if ($6 < us || us == "") us=$6; best=$2}
    END {split(r[int((NR+1)/2)], m, "\t"); printf "%d %d %.2f %.3f %.3f\n", m[2], best, us, m[3], m[5]}'
}
printf '%-22s %10s %10s %10s %9s %9s\n' "" "median" "best" "us/req" "p50 ms" "p99 ms"
for mode in keepalive close; do
  read -r nm nb nu n50 n99 < <(stats "$RES/redirect_nginx_$mode.tsv")
  read -r mm mb mu m50 m99 < <(stats "$RES/redirect_meridian_$mode.tsv")
  printf '%-22s %10d %10d %10.2f %9.3f %9.3f\n' "nginx $mode" "$nm" "$nb" "$nu" "$n50" "$n99"
  printf '%-22s %10d %10d %10.2f %9.3f %9.3f\n' "Meridian $mode" "$mm" "$mb" "$mu" "$m50" "$m99"
  awk -v nm="$nm" -v mm="$mm" -v nb="$nb" -v mb="$mb" -v nu="$nu" -v mu="$mu" -v mode="$mode" 'BEGIN {
    printf "ratio Meridian/nginx (%s): median %.2fx, best %.2fx, CPU per request %.2fx\n", mode, mm / nm, mb / nb, mu / nu }'
done
