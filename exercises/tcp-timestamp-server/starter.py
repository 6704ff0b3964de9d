#!/usr/bin/env python3
"""TCP timestamp server: complete the TODO parts. Run: python3 server.py PORT"""
import socket
import sys
from time import ctime

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 21567

# socket, bind, listen
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((HOST, PORT))
server.listen(5)
print('listening on %s:%d (tcp)' % (HOST, PORT), flush=True)

while True:
    client, addr = server.accept()
    while True:
        data = client.recv(1024)
        if not data:
            break
        # TODO: send back '[' + ctime() + '] ' + the data, encoded as UTF-8
    client.close()
