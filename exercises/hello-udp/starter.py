#!/usr/bin/env python3
"""Hello server over UDP: complete the TODO parts. Run: python3 server.py PORT"""
import socket
import sys

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 21567

# socket, bind (UDP has no listen and no accept)
server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server.bind((HOST, PORT))
print('listening on %s:%d (udp)' % (HOST, PORT), flush=True)

while True:
    data, addr = server.recvfrom(1024)
    # TODO: send 'Hello, X!' back to addr, where X is the data
    pass
