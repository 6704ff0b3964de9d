#!/usr/bin/env python3
"""Writes N random IPv4 prefixes (/16 to /32, host bits cleared), one per line, for the summarize benchmark.

    python3 scripts/ip/make_prefixes.py 100000 > /tmp/prefixes.txt
    python3 scripts/ip/make_prefixes.py 100000 --collapse > /tmp/expected.txt   # Python's answer
"""
import ipaddress
import random
import sys


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rng = random.Random(6)
    networks = [ipaddress.IPv4Network((rng.getrandbits(32), rng.randint(16, 32)), strict=False) for _ in range(count)]
    if "--collapse" in sys.argv:
        networks = list(ipaddress.collapse_addresses(networks))
    sys.stdout.write("".join(f"{network}\n" for network in networks))


if __name__ == "__main__":
    main()
