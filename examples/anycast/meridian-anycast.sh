#!/bin/sh
# For BIRD 2 (or any routing daemon that exports the host's direct routes): keeps the anycast
# address on the dummy interface `anycast0` while the local director is ready (GET /healthz
# answers 200) and removes it while it is not, so BIRD withdraws the route. Run it as a service
# (see the systemd unit in README.md). Two failures in a row withdraw, two successes announce.
set -u
ADDRESS=${ADDRESS:-192.0.2.53/32}
HEALTHZ=${HEALTHZ:-http://127.0.0.1:10090/healthz}
ip link show anycast0 >/dev/null 2>&1 || ip link add anycast0 type dummy
ip link set anycast0 up
good=0 bad=0
while :; do
  if curl -sf --max-time 1 "$HEALTHZ" >/dev/null; then good=$((good + 1)) bad=0; else bad=$((bad + 1)) good=0; fi
  if [ "$good" -ge 2 ]; then ip addr replace "$ADDRESS" dev anycast0; fi
  if [ "$bad" -ge 2 ]; then ip addr del "$ADDRESS" dev anycast0 2>/dev/null; fi
  sleep 1
done
