#!/usr/bin/env python3
"""Multi-room chat server (exercises 16-9 and 16-10): complete the TODO parts. Run: python3 server.py PORT"""
import socket
import sys
import threading
from time import ctime

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 21567

clients = {}  # room -> {username: socket}
lock = threading.Lock()  # every client's thread uses clients: take the lock first


def deal(sock, username, room):
    """Relays one client's messages to its room until it leaves."""
    while True:
        data = sock.recv(1024)
        text = data.decode('utf-8').rstrip('\r\n')
        # TODO: b'' or 'quit': remove the user from its room, tell the others who left,
        #       answer b'quit' (for 'quit'), close the socket and return
        # TODO: send ('[%s] %s: %s\n' % (ctime(), username, text)).encode() to every *other* user of the room


def login(sock):
    """Reads 'username room', answers success or reuse, then serves the client."""
    username, room = sock.recv(1024).decode('utf-8').split()
    # TODO: if username is already in clients[room]: send b'reuse', close, and return
    with lock:
        clients.setdefault(room, {})[username] = sock
    sock.send(b'success')
    deal(sock, username, room)


# socket, bind, listen
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((HOST, PORT))
server.listen(32)
print('listening on %s:%d (tcp)' % (HOST, PORT), flush=True)

while True:
    sock, addr = server.accept()
    # TODO: serve each client in a thread of its own, so several are served at once
    login(sock)
