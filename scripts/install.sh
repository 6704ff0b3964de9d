#!/usr/bin/env bash
# Installs netlab under PREFIX (default /usr/local): the release executable as PREFIX/bin/netlab, and the
# lessons and exercises it reads at run time in PREFIX/share/netlab, where an installed netlab looks first.
# Usage: scripts/install.sh [PREFIX]
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-/usr/local}
swift build -c release --product netlab
install -d "$prefix/bin" "$prefix/share/netlab"
install -m 755 .build/release/netlab "$prefix/bin/netlab"
rm -rf "$prefix/share/netlab/lessons" "$prefix/share/netlab/exercises"
cp -R lessons exercises "$prefix/share/netlab/"
echo "installed $prefix/bin/netlab and $prefix/share/netlab/{lessons,exercises}"
