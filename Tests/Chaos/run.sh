#!/usr/bin/env bash
# Runs the chaos test (ChaosTests.swift) for MINUTES (default 2, as CI runs it): 3 regions x 2
# directors in network namespaces under faults, invariants checked on every answer. Needs root.
#
#   Tests/Chaos/run.sh [MINUTES]
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES=${1:-2}
MERIDIAN_CHAOS_SECONDS=$((MINUTES * 60)) swift test --no-parallel --filter MeridianChaosTests 2>&1 | grep -E '^chaos|✔|✘|error'
