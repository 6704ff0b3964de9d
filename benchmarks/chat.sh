#!/usr/bin/env bash
# netlab's chat benchmark (issue 7): fan-out in one room, side by side with its anchors on this machine.
#   netlab chat server (release)          rooms protocol: 'userK room', 'success', '[ctime] userK: text'
#   ncat --chat                           no login, no names, relays unframed chunks as '<userN> ...'
#   SwiftNIO's NIOChatServer example      no login, no rooms, lines as '(address) - ...' (release build)
#   benchmarks/python_chat_server.py      seed 001's threaded room server (16-9/10) in Python 3
# with 100 and 1,000 clients: one message in flight (fan-out latency: time until the last receiver has it)
# and 16 in flight (deliveries per second: complete lines received by receivers). Median of RUNS runs,
# the servers measured in turn within each run, so they see the same noise. Then 10,000 clients in 100
# rooms held by one netlab chat server, with its resident memory. The same load generator
# (netlab bench fanout) measures every server. NIOChatServer is built from the machine's local swift-nio
# copy in a temporary folder: never a dependency of netlab, never committed. Not part of CI; takes about
# 10 minutes (ncat accepts 1,000 clients slowly).
# BEFORE=path/to/other/netlab adds that build as the row "before" (a change measured side by side with
# the build it replaces); ONLY="netlab before ncat" measures just those rows.
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/common.sh
RUNS=${RUNS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
CLIENTS=${CLIENTS:-100 1000}

if ! command -v ncat >/dev/null; then
    echo "ncat is missing: install it with 'apt-get install ncat' (Nmap's netcat)" >&2
    exit 1
fi

swift build -c release >/dev/null
NETLAB=$PWD/.build/release/netlab

wanted() { [[ -z "${ONLY:-}" || " $ONLY " == *" $1 "* ]]; }
NIO=/bin/false
wanted NIOChatServer && NIO=$(nio_example NIOChatServer)


P_NETLAB=$(free_port); start "$P_NETLAB" "$NETLAB" chat server --port "$P_NETLAB"
P_NCAT=$(free_port); start "$P_NCAT" ncat --chat --listen 127.0.0.1 "$P_NCAT" --max-conns 20000
P_NIO=$(free_port); wanted NIOChatServer && start "$P_NIO" "$NIO" 127.0.0.1 "$P_NIO"
P_PYTHON=$(free_port); wanted python && start "$P_PYTHON" python3 benchmarks/python_chat_server.py "$P_PYTHON"
if [[ -n "${BEFORE:-}" ]]; then
    P_BEFORE=$(free_port); start "$P_BEFORE" "$BEFORE" chat server --port "$P_BEFORE"
fi
sleep 1  # the probes' connections have left

measure() { # PORT LOGIN CLIENTS -> "p50_us p99_us deliveries/s (1 in flight)  deliveries/s p99_us (16 in flight)  lost"
    # exit status 1 means some messages were lost: still a result, the lost column shows them
    { "$NETLAB" bench fanout --port "$1" --login "$2" --clients "$3" --in-flight 1,16 \
        --duration "$SECONDS_PER_RUN" --warmup 1 --json || true; } |
        python3 -c 'import json,sys; r=json.load(sys.stdin); a,b=r["phases"]; print(a["p50_us"], a["p99_us"], a["deliveries_per_second"], b["deliveries_per_second"], b["p99_us"], a["lost"]+b["lost"])'
}

servers=("netlab $P_NETLAB rooms" "ncat $P_NCAT none" "NIOChatServer $P_NIO none" "python $P_PYTHON rooms")
[[ -n "${BEFORE:-}" ]] && servers=("before $P_BEFORE rooms" "${servers[@]}")
if [[ -n "${ONLY:-}" ]]; then
    chosen=()
    for server in "${servers[@]}"; do [[ " $ONLY " == *" ${server%% *} "* ]] && chosen+=("$server"); done
    servers=("${chosen[@]}")
fi
printf '%-14s %7s %10s %10s %14s %14s %10s %5s %6s\n' server clients p50_1 p99_1 deliveries/s_1 deliveries/s_16 p99_16 lost failed
for clients in $CLIENTS; do
    declare -A results=() failures=()
    for _ in $(seq "$RUNS"); do  # interleaved, so every server sees the same noise
        for server in "${servers[@]}"; do
            set -- $server
            if out=$(measure "$2" "$3" "$clients"); then
                results[$1]+="$out"$'\n'
            else
                failures[$1]=$((${failures[$1]:-0} + 1))
            fi
            sleep 1  # the clients' connections have left
        done
    done
    for server in "${servers[@]}"; do
        set -- $server
        rows=${results[$1]}
        col() { printf '%s' "$rows" | awk -v c="$1" 'NF {print $c}' | median; }
        printf '%-14s %7s %8.0fus %8.0fus %14.0f %14.0f %8.0fus %5s %6s\n' "$1" "$clients" \
            "$(col 1)" "$(col 2)" "$(col 3)" "$(col 4)" "$(col 5)" \
            "$(printf '%s' "$rows" | awk 'NF {s+=$6} END {print s+0}')" "${failures[$1]:-0}"
    done
    unset results failures
done

[[ "${HELD:-yes}" == no ]] && exit 0  # HELD=no skips the 10,000 held clients
P_HELD=$(free_port); start "$P_HELD" "$NETLAB" chat server --port "$P_HELD"
echo
"$NETLAB" bench fanout --port "$P_HELD" --clients 10000 --rooms 100 --in-flight 1,16 \
    --duration "$SECONDS_PER_RUN" --pid "${pids[-1]}"
