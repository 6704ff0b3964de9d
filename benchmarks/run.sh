#!/usr/bin/env bash
# netlab's benchmark: the README's performance figures, side by side with their anchors on this machine.
#   netlab tcp server --reply echo       vs  SwiftNIO's NIOEchoServer example (release build)
#   netlab tcp server --reply timestamp  vs  Python 3 socketserver.ThreadingTCPServer with the same replies
# at 1, 50 and 500 connections (median of RUNS runs of SECONDS each, interleaved), then 10,000 idle
# connections held by one netlab server. The same load generator (netlab bench rr) measures every server.
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

measure() { # PORT CONNECTIONS -> "rps p99"
    "$NETLAB" bench rr --port "$1" --connections "$2" --duration "$SECONDS_PER_RUN" --warmup 1 --json |
        python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["round_trips_per_second"], r["p99_us"], r["errors"])'
}

printf '%-11s %5s %14s %10s %14s %10s %7s\n' mode conns netlab_rps p99_us anchor_rps p99_us ratio
for pair in "echo $ECHO_NETLAB $ECHO_NIO" "timestamp $TS_NETLAB $TS_PYTHON"; do
    set -- $pair
    mode=$1 ours=$2 theirs=$3
    for conns in 1 50 500; do
        ours_rps=() ours_p99=() theirs_rps=() theirs_p99=()
        for _ in $(seq "$RUNS"); do  # interleaved, so both see the same noise
            read -r rps p99 _ < <(measure "$ours" "$conns"); ours_rps+=("$rps"); ours_p99+=("$p99")
            read -r rps p99 _ < <(measure "$theirs" "$conns"); theirs_rps+=("$rps"); theirs_p99+=("$p99")
        done
        a=$(printf '%s\n' "${ours_rps[@]}" | median); b=$(printf '%s\n' "${ours_p99[@]}" | median)
        c=$(printf '%s\n' "${theirs_rps[@]}" | median); d=$(printf '%s\n' "${theirs_p99[@]}" | median)
        printf '%-11s %5s %14.0f %10.0f %14.0f %10.0f %7.2f\n' "$mode" "$conns" "$a" "$b" "$c" "$d" "$(awk -v a="$a" -v c="$c" 'BEGIN { print a / c }')"
    done
done

IDLE=$(free_port); start "$IDLE" "$NETLAB" tcp server --port "$IDLE" --reply echo --quiet
echo
"$NETLAB" bench idle --port "$IDLE" --connections 10000 --pid "${pids[-1]}"
