#!/usr/bin/env bash
# Meridian's HTTPS redirector against nginx `return 302` with `ssl`: redirect-vs-nginx.sh with TLS=1
# (one ECDSA P-256 certificate for both, TLS 1.3 and 1.2, session tickets on; keep-alive, and
# `Connection: close`, a handshake per request). ROUNDS and WRK_DUR as there.
exec env TLS=1 "$(dirname "$0")/redirect-vs-nginx.sh" "$@"
