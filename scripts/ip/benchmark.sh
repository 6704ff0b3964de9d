#!/usr/bin/env bash
# The `netlab ip` benchmark: start-up beside sipcalc, ipcalc and Python, and summarizing 100,000 prefixes.
# Usage: scripts/ip/benchmark.sh [path/to/netlab]   (default: the plain release build, a static executable)
# Needs hyperfine, sipcalc, ipcalc and python3. A benchmark, not a test: quote medians, the machine is noisy.
set -euo pipefail
cd "$(dirname "$0")/../.."
netlab=${1:-}
if [[ -z "$netlab" ]]; then
    swift build -c release --product netlab
    netlab=.build/release/netlab
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

hyperfine -N --warmup 20 --export-markdown "$work/startup.md" \
    "$netlab ip info 192.168.1.10/24" 'sipcalc 192.168.1.10/24' 'ipcalc 192.168.1.10/24' \
    "python3 -c 'import ipaddress'"

python3 scripts/ip/make_prefixes.py 100000 >"$work/prefixes.txt"
python3 scripts/ip/make_prefixes.py 100000 --collapse >"$work/expected.txt"
"$netlab" ip summarize --from "$work/prefixes.txt" >"$work/got.txt"
if cmp -s "$work/got.txt" "$work/expected.txt"; then
    echo "summarize: same $(wc -l <"$work/got.txt") networks as Python's collapse_addresses"
else
    echo "summarize: output differs from Python's collapse_addresses" >&2
    exit 1
fi
hyperfine -N --warmup 3 "$netlab ip summarize --from $work/prefixes.txt"
