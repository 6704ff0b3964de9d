#!/usr/bin/env python3
"""Command server (exercise 16-5): complete the TODO parts. Run: python3 server.py PORT"""
import json
import os
import socket
import sys
import threading
from time import ctime

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 21567


def serve(client):
    """Answers one client's requests until it leaves."""
    while True:
        data = client.recv(1024)
        if not data:
            break
        request = data.decode('utf-8').strip()
        # TODO: answer 'date', 'os' and 'ls' as the README says; anything else gets '[ctime] request'
        reply = request
        client.send((reply + '\n').encode('utf-8'))
    client.close()


# socket, bind, listen
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((HOST, PORT))
server.listen(5)
print('listening on %s:%d (tcp)' % (HOST, PORT), flush=True)

while True:
    client, addr = server.accept()
    # TODO: serve each client in a thread of its own (threading.Thread), so a second client is
    #       answered while the first stays connected
    serve(client)
