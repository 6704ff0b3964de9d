#!/usr/bin/env python3
"""Random IPv4/IPv6 inputs and Python's `ipaddress` answers, for netlab's differential test.

Prints one JSON object on stdout. The same --seed always gives the same inputs, so a failure
can be replayed:  python3 scripts/ip/ipaddress_oracle.py --seed 4 > oracle.json

Every expected value comes from `ipaddress`; nothing here computes an answer by itself except where
noted (the last host of networks larger than /24, taken as Python's hosts() defines it).
"""
import argparse
import collections
import ipaddress
import json
import random
import sys


def v4_case(rng):
    # Mix prefix lengths so /0, /8, /24, /30, /31 and /32 all turn up often.
    prefix = rng.choice([rng.randint(0, 32), rng.randint(24, 32), rng.randint(24, 32), rng.choice([0, 1, 8, 16, 30, 31, 32])])
    address = ipaddress.IPv4Address(rng.getrandbits(32))
    iface = ipaddress.IPv4Interface((address, prefix))
    net = iface.network
    hosts = net.hosts()
    first = next(iter(hosts), None)
    if net.num_addresses <= 256:
        # Small networks: hosts() enumerated in full, so /31 and /32 come from Python itself.
        every = list(net.hosts())
        last, count = every[-1], len(every)
    else:
        # hosts() is range(network + 1, broadcast) for every network larger than /31.
        last, count = net.broadcast_address - 1, net.num_addresses - 2
    return {
        "input": f"{address}/{prefix}",
        "network": str(net.network_address),
        "broadcast": str(net.broadcast_address),
        "netmask": str(net.netmask),
        "hostmask": str(net.hostmask),
        "first_host": str(first),
        "last_host": str(last),
        "host_count": count,
        "num_addresses": net.num_addresses,
        "is_multicast": address.is_multicast,
        "is_loopback": address.is_loopback,
        "is_link_local": address.is_link_local,
    }


def random_v6(rng):
    kind = rng.random()
    if kind < 0.04:
        return ipaddress.IPv6Address(0xFFFF << 32 | rng.getrandbits(32))  # IPv4-mapped
    if kind < 0.5:
        return ipaddress.IPv6Address(rng.getrandbits(128))
    # Addresses with runs of zero groups, so '::' compression is exercised.
    groups = [rng.choice([0, 0, 0, rng.getrandbits(16), rng.getrandbits(4)]) for _ in range(8)]
    if kind < 0.6:
        groups[0] = rng.choice([0xFE80, 0xFF02, 0xFC00, 0xFD12, 0x2001, 0x2002, 0x0064])
    value = 0
    for group in groups:
        value = value << 16 | group
    return ipaddress.IPv6Address(value)


def v6_case(rng):
    prefix = rng.choice([rng.randint(0, 128), rng.choice([0, 3, 10, 32, 48, 56, 64, 96, 120, 127, 128])])
    address = random_v6(rng)
    net = ipaddress.IPv6Interface((address, prefix)).network
    mapped = address.ipv4_mapped
    return {
        "input": f"{address.exploded}/{prefix}" if rng.random() < 0.3 else f"{address}/{prefix}",
        # RFC 5952 writes IPv4-mapped addresses with a dotted tail; Python 3.13 does too, older ones not.
        "compressed": f"::ffff:{mapped}" if mapped is not None else address.compressed,
        "exploded": address.exploded,
        "network": str(net.network_address) if net.network_address.ipv4_mapped is None else f"::ffff:{net.network_address.ipv4_mapped}",
        "network_exploded": net.network_address.exploded,
        "last_exploded": net.broadcast_address.exploded,
        "num_addresses": str(net.num_addresses),
        "is_multicast": address.is_multicast,
        "is_loopback": address.is_loopback,
        "is_link_local": address.is_link_local,
        "ipv4_mapped": str(mapped) if mapped is not None else None,
    }


def summary_case(rng, version):
    bits, base_prefix, low, high = (32, 16, 18, 28) if version == 4 else (128, 48, 50, 64)
    cls = ipaddress.IPv4Network if version == 4 else ipaddress.IPv6Network
    base = cls((rng.getrandbits(bits), base_prefix), strict=False)
    items = []
    for _ in range(rng.randint(1, 40)):
        prefix = rng.randint(low, high)
        offset = rng.getrandbits(bits - base_prefix)
        items.append(cls((int(base.network_address) + offset, prefix), strict=False))
    items += rng.sample(items, k=min(len(items), rng.randint(0, 3)))  # duplicates
    rng.shuffle(items)
    return {"items": [str(n) for n in items], "networks": [str(n) for n in ipaddress.collapse_addresses(items)]}


def range_case(rng, version):
    bits = 32 if version == 4 else 128
    cls = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    first = rng.getrandbits(bits)
    span = rng.getrandbits(rng.randint(0, 24))
    last = min(first + span, 2**bits - 1)
    first, last = cls(first), cls(last)
    return {"range": f"{first}-{last}", "networks": [str(n) for n in ipaddress.summarize_address_range(first, last)]}


def mutation_case(rng):
    """A valid address with one random edit; Python decides whether the result is still an address."""
    text = str(ipaddress.IPv4Address(rng.getrandbits(32))) if rng.random() < 0.5 else str(random_v6(rng))
    position = rng.randrange(len(text) + 1)
    edit = rng.random()
    if edit < 0.3 and len(text) > 1:
        text = text[:position] + text[position + 1:]
    elif edit < 0.7:
        text = text[:position] + rng.choice("0123456789abcdefABCDEF:.x ") + text[position:]
    else:
        text = text[:position] + rng.choice(["::", ":", ".", "0", "00", "1.2.3.4", "ffff"]) + text[position:]
    try:
        address = ipaddress.ip_address(text)
        return {"text": text, "valid": True, "version": address.version, "value": str(int(address))}
    except ValueError:
        return {"text": text, "valid": False}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--v4", type=int, default=10_000)
    parser.add_argument("--v6", type=int, default=2_000)
    parser.add_argument("--summaries", type=int, default=300)
    parser.add_argument("--mutations", type=int, default=2_000)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    result = collections.OrderedDict()
    result["python"] = sys.version.split()[0]
    result["seed"] = args.seed
    result["ipv4"] = [v4_case(rng) for _ in range(args.v4)]
    result["ipv6"] = [v6_case(rng) for _ in range(args.v6)]
    result["summaries_v4"] = [summary_case(rng, 4) for _ in range(args.summaries)]
    result["summaries_v6"] = [summary_case(rng, 6) for _ in range(args.summaries // 3)]
    result["ranges_v4"] = [range_case(rng, 4) for _ in range(args.summaries)]
    result["ranges_v6"] = [range_case(rng, 6) for _ in range(args.summaries // 3)]
    result["mutations"] = [mutation_case(rng) for _ in range(args.mutations)]
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
