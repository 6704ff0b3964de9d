#!/usr/bin/env bash
# Grades a class of 30 hello-tcp submissions twice with --jobs 2, as an instructor would, and checks
# that the two CSVs give the same scores, how long each run took, and that no process of theirs is left.
# The class: 20 correct servers, 5 with classic bugs, and 5 hostile or broken ones (a flood without a
# newline, a fork bomb, a missing program, a detached daemon, a syntax error).
#   bash benchmarks/grade-class.sh [NETLAB]      (default: .build/release/netlab)
set -euo pipefail
cd "$(dirname "$0")/.."
NETLAB=$(realpath "${1:-.build/release/netlab}")  # absolute: the batch runs from another folder
FIX=Tests/NetlabTests/Fixtures
CLASS=$(mktemp -d /tmp/netlab-class-XXXXXX)
trap 'rm -rf "$CLASS"' EXIT

add() {  # add NAME FILE: a submission whose server.py is FILE
    mkdir -p "$CLASS/$1"
    cp "$2" "$CLASS/$1/server.py"
}
for i in $(seq -w 1 20); do add "good-$i" "$FIX/good/hello_tcp_server.py"; done
add one-at-a-time-1 "$FIX/broken/one_at_a_time_hello.py"
add one-at-a-time-2 "$FIX/broken/one_at_a_time_hello.py"
add no-exit "$FIX/broken/no_exit_hello.py"
add no-reuseaddr "$FIX/broken/no_reuseaddr_hello.py"
add never-listens "$FIX/broken/never_listens.py"
mkdir -p "$CLASS/missing-program" && echo "I forgot to hand in my server" >"$CLASS/missing-program/README.txt"
add syntax-error /dev/null && printf 'import socket\ndef main(:\n    pass\n' >"$CLASS/syntax-error/server.py"
mkdir -p "$CLASS/flood"
cat >"$CLASS/flood/server.py" <<'PY'
# recv() outside its loop: sends for ever, never a newline, never a pause.
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()
while True:
    c, _ = s.accept()
    try:
        while True: c.sendall(b'x' * 65536)
    except OSError:
        pass
PY
for mode in forkbomb detach; do
    mkdir -p "$CLASS/$mode"
    cp "$FIX/hostile/escape.py" "$CLASS/$mode/escape.py"
    printf 'import runpy, sys\nsys.argv = ["escape.py", "%s", sys.argv[1]]\nrunpy.run_path("escape.py", run_name="__main__")\n' \
        "$mode" >"$CLASS/$mode/server.py"
done

echo "machine: $(nproc) cores, $(uname -sr); netlab: $NETLAB; $(ls "$CLASS" | wc -l) submissions"
for run in 1 2; do
    start=$(date +%s.%N)
    set +e
    (cd "$CLASS/.." && "$NETLAB" grade hello-tcp --batch "$CLASS" --cmd 'python3 {dir}/server.py {port}' \
        --jobs 2 --format csv --output "/tmp/netlab-class-run$run.csv" 2>/dev/null)
    status=$?
    set -e
    end=$(date +%s.%N)
    printf 'run %s: exit status %s, %.1f s wall\n' "$run" "$status" "$(echo "$end - $start" | bc)"
    # What is left of the class's programs: their private folders are netlab-grade-*, their files server.py.
    left=$(ps -eo pid=,args= | grep -E 'server\.py|escape\.py' | grep -v grep || true)
    echo "processes left: ${left:-none}"
done
# The last three columns (wall, CPU, memory) vary from run to run; the scores must not.
cut -d, -f1-9 /tmp/netlab-class-run1.csv >/tmp/netlab-class-run1.scores
cut -d, -f1-9 /tmp/netlab-class-run2.csv >/tmp/netlab-class-run2.scores
if cmp -s /tmp/netlab-class-run1.scores /tmp/netlab-class-run2.scores; then
    echo "scores: identical in both runs"
else
    echo "scores: DIFFERENT"; diff /tmp/netlab-class-run1.scores /tmp/netlab-class-run2.scores || true
fi
awk -F, 'NR > 1 { print $1 ": " $8 "/" $9 }' /tmp/netlab-class-run1.csv | paste -sd' ' | fold -w 110
