#!/usr/bin/env bash
# How many gateways one director can probe at a 1 s interval, and its CPU and memory.
# Starts nginx (one worker) on 127.0.0.1:$PORT as every gateway's health endpoint, runs the
# release benchmark for $SECONDS_TO_RUN seconds with $GATEWAYS gateways (each its own keep-alive
# connection), then stops nginx by its PID.  Needs: apt-get install nginx-light.
#
#     Benchmarks/probe-throughput.sh            # 5000 gateways, 20 s
#     GATEWAYS=10000 Benchmarks/probe-throughput.sh
set -euo pipefail
cd "$(dirname "$0")/.."
GATEWAYS=${GATEWAYS:-5000}
SECONDS_TO_RUN=${SECONDS_TO_RUN:-20}
PORT=${PORT:-18199}
WORK=$(mktemp -d /tmp/meridian-probe-bench.XXXXXX)
mkdir -p "$WORK/tmp" "$WORK/logs"
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile 65536;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log warn;
events { worker_connections 32768; }
http {
  access_log off;
  client_body_temp_path $WORK/tmp/body;
  proxy_temp_path $WORK/tmp/proxy;
  fastcgi_temp_path $WORK/tmp/fastcgi;
  uwsgi_temp_path $WORK/tmp/uwsgi;
  scgi_temp_path $WORK/tmp/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 600s;
  server {
    listen 127.0.0.1:$PORT backlog=8192;
    location = /health { return 200 "ok\n"; }
  }
}
CONF
ulimit -n 65536 || true
swift build -c release --product meridian-benchmarks >/dev/null
nginx -p "$WORK" -e "$WORK/logs/error.log" -c "$WORK/nginx.conf" -g 'daemon off;' &
NGINX=$!
trap 'kill $NGINX 2>/dev/null; wait $NGINX 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
.build/release/meridian-benchmarks probes "$GATEWAYS" "$PORT" "$SECONDS_TO_RUN"
ticks=$(getconf CLK_TCK)
for pid in $(pgrep -P $NGINX) $NGINX; do awk -v t="$ticks" -v p="$pid" '{printf "nginx process %s (the gateways'"'"' side): %.1f s of CPU\n", p, ($14+$15)/t}' /proc/$pid/stat; done
