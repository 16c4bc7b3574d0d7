#!/usr/bin/env bash
# How long a new director takes to join: `meridian serve --join URL` with an empty configuration
# folder and no state, from the moment the process starts to its first DNS answer given with a full
# view (/healthz 200: every gateway has a fresh vote, not warming up). The shipped regions/ on
# loopback: ankara and ist-a run; ist-b joins through ist-a, REPS times (default 5), each time with
# a new empty folder and state. Prints each time and the median.
#
#   Benchmarks/join-time.sh        (needs python3-dnspython; builds release, or BIN=path/to/meridian)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
REPS=${REPS:-5}
WORK=$(mktemp -d /tmp/meridian-join.XXXXXX)
cd "$REPO"
if [ -z "${BIN:-}" ]; then swift build -c release --product meridian >/dev/null 2>&1; BIN=.build/release/meridian; fi
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for gw in "ist-1 127.0.1.1" "ist-2 127.0.1.2" "ank-1 127.0.2.1" "ank-2 127.0.2.2" "izm-1 127.0.4.1"; do
  set -- $gw
  $BIN gateway --name "$1" --listen "$2:18080" --log-level error & PIDS+=($!)
done
for director in "ankara ankara" "istanbul ist-a" "izmir izmir"; do
  set -- $director
  $BIN serve --region "$1" --director "$2" --state "$WORK/state-$2" --insecure-loopback-keys --log-level error & PIDS+=($!)
done
/usr/bin/python3 - "$BIN" "$WORK" "$REPS" <<'PY'
import statistics, subprocess, sys, time, urllib.request
import dns.message, dns.query
binary, work, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])

def ready(port):
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=0.2).status == 200
    except Exception:
        return False

deadline = time.time() + 30
while not (ready(10090) and ready(20090) and ready(30090)):
    if time.time() > deadline: sys.exit("the running directors did not become ready")
    time.sleep(0.05)
times = []
for rep in range(reps):
    started = time.monotonic()
    joiner = subprocess.Popen([binary, "serve", "--region", "istanbul", "--director", "ist-b", "--regions", f"{work}/joined-{rep}",
                               "--join", "http://127.0.0.1:10090", "--state", f"{work}/state-join-{rep}", "--insecure-loopback-keys",
                               "--log-level", "error"])
    try:
        while True:
            if time.monotonic() - started > 30: sys.exit("the joining director gave no answer with a full view in 30 s")
            if ready(10190):
                reply = dns.query.udp(dns.message.make_query("api.example.test", "A"), "127.0.0.1", port=10153, timeout=0.2)
                if reply.answer:
                    times.append(time.monotonic() - started)
                    break
            time.sleep(0.005)
    finally:
        joiner.terminate()
        joiner.wait()
    print(f"join {rep + 1}: first answer with a full view {times[-1] * 1000:.0f} ms after start")
print(f"join: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over {reps} joins "
      "(process start, configuration fetched over the signed join, peers greeted, first DNS answer with /healthz 200)")
PY
