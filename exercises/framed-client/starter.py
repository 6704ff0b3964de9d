#!/usr/bin/env python3
"""Framed remote-command client (seed 004): complete the TODO parts. Run: python3 client.py HOST PORT"""
import json
import socket
import struct
import sys

HOST = sys.argv[1] if len(sys.argv) > 1 else '127.0.0.1'
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 21567

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect((HOST, PORT))


def recv_exact(n):
    """Return exactly n bytes from sock."""
    # TODO: one recv() may return fewer bytes than asked: loop until you have n
    return sock.recv(n)


while True:
    try:
        line = input()
    except EOFError:
        break
    if not line:
        break
    sock.sendall((line + '\n').encode('utf-8'))
    # TODO: read the 4-byte big-endian header length ('!I'), the JSON header, then total_size bytes;
    # write the stdout part to sys.stdout.buffer and the stderr part to sys.stderr.buffer
sock.close()
