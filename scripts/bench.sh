#!/usr/bin/env bash
# Usage: scripts/bench.sh [bench flags...]     (what `make bench` runs)
#
# Builds the benchmark (internal/cmd/bench) and runs it: it builds the
# provider, measures it against the in-memory mock SendGrid on 127.0.0.1
# with the pinned Terraform, and rewrites the generated part of
# BENCHMARKS.md. Takes about thirteen minutes on two cores (the v3
# refresh of 10,000 subusers and the v2 bulk import, paced, are half of it);
# `scripts/bench.sh -quick -out /tmp/b.md` is a smoke test of seconds, and
# `-cpuprofile PREFIX` adds a CPU profile of the provider's v3 refresh.
# Flags: `scripts/bench.sh -h`.
#
# Everything it creates lives in temporary directories removed on exit,
# Ctrl-C included; BENCHMARKS.md is only rewritten by a complete run.
set -euo pipefail

cd "$(dirname "$0")/.."
tf="$(scripts/tool.sh terraform)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sendgrid-bench-build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

go build -o "$tmp/bench" ./internal/cmd/bench
start=$SECONDS
"$tmp/bench" -terraform "$tf" "$@"
echo "bench.sh: done in $((SECONDS - start))s" >&2
