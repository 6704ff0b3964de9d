#!/usr/bin/env bash
# netlab's benchmark: the README's performance figures, side by side with their anchors on this machine.
#   netlab tcp server --reply echo       vs  SwiftNIO's NIOEchoServer example (release build)
#   netlab tcp server --reply timestamp  vs  Python 3 socketserver.ThreadingTCPServer with the same replies
# at 1, 50 and 500 connections (median of RUNS runs of SECONDS each, interleaved); the timestamp pair
# again with each server held to core 0 and the generator to core 1; then 10,000 idle connections
# held by one netlab server. The same load generator (netlab bench rr) measures every server.
# NIOEchoServer is built from the machine's local swift-nio copy in a temporary folder: never a
# dependency of netlab, never committed. Not part of CI. Takes about 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/common.sh
RUNS=${RUNS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}

swift build -c release >/dev/null
NETLAB=$PWD/.build/release/netlab

NIO=$(nio_example NIOEchoServer)

ECHO_NETLAB=$(free_port); start "$ECHO_NETLAB" "$NETLAB" tcp server --port "$ECHO_NETLAB" --reply echo --quiet
ECHO_NIO=$(free_port); start "$ECHO_NIO" "$NIO" 127.0.0.1 "$ECHO_NIO"
TS_NETLAB=$(free_port); start "$TS_NETLAB" "$NETLAB" tcp server --port "$TS_NETLAB" --reply timestamp --quiet
TS_PYTHON=$(free_port); start "$TS_PYTHON" python3 benchmarks/python_threading_server.py timestamp "$TS_PYTHON"
# The same two timestamp servers held to core 0, for the generator alone on core 1 (`taskset`).
PINNED_NETLAB=$(free_port)
start "$PINNED_NETLAB" taskset -c 0 "$NETLAB" tcp server --port "$PINNED_NETLAB" --reply timestamp --quiet
PINNED_PYTHON=$(free_port)
start "$PINNED_PYTHON" taskset -c 0 python3 benchmarks/python_threading_server.py timestamp "$PINNED_PYTHON"

measure() { # PORT CONNECTIONS [taskset -c N] -> "rps p99 errors"
    "${@:3}" "$NETLAB" bench rr --port "$1" --connections "$2" --duration "$SECONDS_PER_RUN" --warmup 1 --json |
        python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["round_trips_per_second"], r["p99_us"], r["errors"])'
}

compare() { # LABEL OUR-PORT THEIR-PORT [taskset -c N]: one row per connection count
    local label=$1 ours=$2 theirs=$3 conns a b c d rps p99
    for conns in 1 50 500; do
        local ours_rps=() ours_p99=() theirs_rps=() theirs_p99=()
        for _ in $(seq "$RUNS"); do  # interleaved, so both see the same noise
            read -r rps p99 _ < <(measure "$ours" "$conns" "${@:4}"); ours_rps+=("$rps"); ours_p99+=("$p99")
            read -r rps p99 _ < <(measure "$theirs" "$conns" "${@:4}"); theirs_rps+=("$rps"); theirs_p99+=("$p99")
        done
        a=$(printf '%s\n' "${ours_rps[@]}" | median); b=$(printf '%s\n' "${ours_p99[@]}" | median)
        c=$(printf '%s\n' "${theirs_rps[@]}" | median); d=$(printf '%s\n' "${theirs_p99[@]}" | median)
        printf '%-16s %5s %14.0f %10.0f %14.0f %10.0f %7.2f\n' "$label" "$conns" "$a" "$b" "$c" "$d" \
            "$(awk -v a="$a" -v c="$c" 'BEGIN { print a / c }')"
    done
}

printf '%-16s %5s %14s %10s %14s %10s %7s\n' mode conns netlab_rps p99_us anchor_rps p99_us ratio
compare echo "$ECHO_NETLAB" "$ECHO_NIO"
compare timestamp "$TS_NETLAB" "$TS_PYTHON"
compare timestamp-pinned "$PINNED_NETLAB" "$PINNED_PYTHON" taskset -c 1

IDLE=$(free_port); start "$IDLE" "$NETLAB" tcp server --port "$IDLE" --reply echo --quiet
echo
"$NETLAB" bench idle --port "$IDLE" --connections 10000 --pid "${pids[-1]}"
