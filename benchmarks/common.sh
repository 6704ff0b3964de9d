# Sourced by run.sh and chat.sh: SwiftNIO's examples as anchors, free ports, and servers started in the
# background and stopped when the script ends.
NIO_DIR=${NIO_DIR:-/tmp/netlab-bench-nio}

# nio_example PRODUCT: builds SwiftNIO's example PRODUCT (release) from the machine's local swift-nio
# copy in $NIO_DIR, a temporary folder: never a dependency of netlab, never committed. Prints its path.
nio_example() {
    if [ ! -x "$NIO_DIR/.build/release/$1" ]; then
        if [ ! -d "$NIO_DIR/.git" ]; then
            rm -rf "$NIO_DIR"
            git clone -q /opt/swift-packages/apple/swift-nio.git "$NIO_DIR"
            git -C "$NIO_DIR" checkout -q 2.101.3
        fi
        (cd "$NIO_DIR" && swift build -c release --product "$1" >/dev/null)
    fi
    echo "$NIO_DIR/.build/release/$1"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

# start PORT COMMAND...: starts a server in the background and waits until its port answers.
start() {
    local port=$1; shift
    "$@" </dev/null >/dev/null 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do
        if python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1).close()" 2>/dev/null; then return; fi
        sleep 0.1
    done
    echo "server on $port did not start: $*" >&2; exit 1
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
