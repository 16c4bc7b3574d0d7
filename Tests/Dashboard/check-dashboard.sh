#!/usr/bin/env bash
# Renders the HTML dashboard in headless Chromium and checks what a person would see.
#
#   Tests/Dashboard/check-dashboard.sh [OUTPUT_DIR]      (needs: apt-get install chromium)
#
# Starts `meridian demo` on the shipped regions/, takes Istanbul's gateways down through their
# stand-ins' control endpoints, then loads Ankara's dashboard in Chromium: it saves a screenshot
# (dashboard.png) and the rendered DOM, and checks that the page shows the three regions, Istanbul
# unavailable with its gateways down, Ankara available with its gateways up, Istanbul's clients sent
# to Izmir and Ankara (Izmir, the small site, spills what passes its high watermark), Istanbul's
# directors as fresh peers, and the verdict changes among the latest events. Stops the demo by PID.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-$(mktemp -d /tmp/meridian-dashboard.XXXXXX)}
mkdir -p "$OUT"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "chromium is not installed (apt-get install chromium)"; exit 2; }

swift build --product meridian >/dev/null
.build/debug/meridian demo --log-level warning >"$OUT/demo.log" 2>&1 &
DEMO=$!
trap 'kill $DEMO 2>/dev/null; wait $DEMO 2>/dev/null || true' EXIT
# The demo serves its API over HTTPS with a throw-away CA, named in its banner.
for _ in $(seq 100); do grep -q "throw-away CA: " "$OUT/demo.log" && break; sleep 0.1; done
CA=$(sed -n 's/.*throw-away CA: //p' "$OUT/demo.log")
CURL=(curl -sf --cacert "$CA")
for _ in $(seq 100); do "${CURL[@]}" https://127.0.0.1:20090/healthz >/dev/null && break; sleep 0.1; done
curl -sf -X POST http://127.0.1.1:18081/mode/down >/dev/null
curl -sf -X POST http://127.0.1.2:18081/mode/down >/dev/null
for _ in $(seq 50); do
  "${CURL[@]}" https://127.0.0.1:20090/v1/status | grep -q '"availability" : "unavailable"' && break
  sleep 0.1
done

URL=https://127.0.0.1:20090/
# Chromium trusts Ankara's API certificate (and no other) by the hash of its public key.
SPKI=$(openssl x509 -in "$(dirname "$CA")/ankara.pem" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
FLAGS=(--headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1000 --virtual-time-budget=4000
       --ignore-certificate-errors-spki-list="$SPKI")
"$CHROMIUM" "${FLAGS[@]}" --screenshot="$OUT/dashboard.png" "$URL" >/dev/null 2>&1
"$CHROMIUM" "${FLAGS[@]}" --dump-dom "$URL" >"$OUT/dashboard.html" 2>/dev/null

python3 - "$OUT/dashboard.html" <<'PY'
import re, sys
html = open(sys.argv[1]).read()
def region(name):
    match = re.search(r'<div class="card" data-region="%s">(.*?)</table></div>' % name, html, re.S)
    assert match, "region %s is not on the page" % name
    return match.group(1)
istanbul, ankara, izmir = region("istanbul"), region("ankara"), region("izmir")
assert 'class="badge unavailable"' in istanbul, "istanbul is not shown unavailable"
assert istanbul.count('class="badge down"') == 2, "istanbul's two gateways are not shown down"
assert 'class="badge available"' in ankara and ankara.count('class="badge up"') == 2, "ankara is not shown healthy"
assert 'class="badge available"' in izmir, "izmir is not shown available"
assert "ank-1" in ankara and "ist-1" in istanbul and "izm-1" in izmir, "gateway names missing"
assert "connection refused" in istanbul, "the last probe error is not shown"
assert re.search(r"<td>istanbul-metro</td><td>(ankara|izmir)</td>", html), "steering does not show istanbul-metro going to izmir or ankara"
for peer in ("ist-a", "ist-b"):
    assert re.search(r'<tr data-peer="%s"><td>%s</td><td class="why">istanbul</td><td><span class="badge up">fresh</span>' % (peer, peer), html), \
        "the peer %s is not shown fresh" % peer
assert re.search(r"<td>verdict</td><td>ist-1</td><td[^>]*>[a-z]+ → down", html), "the latest events do not show ist-1 going down"
print("dashboard OK: the three regions, gateway states, errors, steering, peers and events are shown")
PY
echo "screenshot: $OUT/dashboard.png"
