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

declare -A pid_of
serve() { # PORT COMMAND...: start, and remember the server's PID for its CPU time
    start "$@"
    pid_of[$1]=${pids[-1]}
}

ECHO_NETLAB=$(free_port); serve "$ECHO_NETLAB" "$NETLAB" tcp server --port "$ECHO_NETLAB" --reply echo --quiet
ECHO_NIO=$(free_port); serve "$ECHO_NIO" "$NIO" 127.0.0.1 "$ECHO_NIO"
TS_NETLAB=$(free_port); serve "$TS_NETLAB" "$NETLAB" tcp server --port "$TS_NETLAB" --reply timestamp --quiet
TS_PYTHON=$(free_port); serve "$TS_PYTHON" python3 benchmarks/python_threading_server.py timestamp "$TS_PYTHON"
# The same two timestamp servers held to core 0, for the generator alone on core 1 (`taskset`).
PINNED_NETLAB=$(free_port)
serve "$PINNED_NETLAB" taskset -c 0 "$NETLAB" tcp server --port "$PINNED_NETLAB" --reply timestamp --quiet
PINNED_PYTHON=$(free_port)
serve "$PINNED_PYTHON" taskset -c 0 python3 benchmarks/python_threading_server.py timestamp "$PINNED_PYTHON"

measure() { # PORT CONNECTIONS [taskset -c N] -> "rps p99 server-cpu-us-per-round-trip errors"
    "${@:3}" "$NETLAB" bench rr --port "$1" --connections "$2" --duration "$SECONDS_PER_RUN" --warmup 1 \
        --pid "${pid_of[$1]}" --json |
        python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["round_trips_per_second"], r["p99_us"], r["server_cpu_us_per_round_trip"], r["errors"])'
}

compare() { # LABEL OUR-PORT THEIR-PORT [taskset -c N]: one row per connection count
    local label=$1 ours=$2 theirs=$3 conns rps p99 cpu
    for conns in 1 50 500; do
        local ours_rps=() ours_p99=() ours_cpu=() theirs_rps=() theirs_p99=() theirs_cpu=()
        for _ in $(seq "$RUNS"); do  # interleaved, so both see the same noise
            read -r rps p99 cpu _ < <(measure "$ours" "$conns" "${@:4}")
            ours_rps+=("$rps"); ours_p99+=("$p99"); ours_cpu+=("$cpu")
            read -r rps p99 cpu _ < <(measure "$theirs" "$conns" "${@:4}")
            theirs_rps+=("$rps"); theirs_p99+=("$p99"); theirs_cpu+=("$cpu")
        done
        local a b c d e f
        a=$(printf '%s\n' "${ours_rps[@]}" | median); b=$(printf '%s\n' "${ours_p99[@]}" | median)
        e=$(printf '%s\n' "${ours_cpu[@]}" | median)
        c=$(printf '%s\n' "${theirs_rps[@]}" | median); d=$(printf '%s\n' "${theirs_p99[@]}" | median)
        f=$(printf '%s\n' "${theirs_cpu[@]}" | median)
        printf '%-16s %5s %12.0f %8.0f %8.1f %12.0f %8.0f %8.1f %7.2f\n' "$label" "$conns" "$a" "$b" "$e" "$c" "$d" "$f" \
            "$(awk -v a="$a" -v c="$c" 'BEGIN { print a / c }')"
    done
}

# Columns: round trips/s, p99 (µs) and the server's CPU time per round trip (µs), netlab's then the anchor's.
printf '%-16s %5s %12s %8s %8s %12s %8s %8s %7s\n' mode conns netlab_rps p99_us cpu_us anchor_rps p99_us cpu_us ratio
compare echo "$ECHO_NETLAB" "$ECHO_NIO"
compare timestamp "$TS_NETLAB" "$TS_PYTHON"
compare timestamp-pinned "$PINNED_NETLAB" "$PINNED_PYTHON" taskset -c 1

IDLE=$(free_port); start "$IDLE" "$NETLAB" tcp server --port "$IDLE" --reply echo --quiet
echo
"$NETLAB" bench idle --port "$IDLE" --connections 10000 --pid "${pids[-1]}"
