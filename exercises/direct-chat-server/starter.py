#!/usr/bin/env python3
"""Chat server with direct messages (seed 003): complete the TODO parts. Run: python3 server.py PORT"""
import socket
import sys
import threading

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8888

users = {}  # nickname -> socket
lock = threading.Lock()  # every client's thread uses users: take the lock first


def recv1(client, user):
    """Delivers one user's messages until it leaves."""
    while True:
        result = client.recv(1024)
        # TODO: b'' means the user left: remove it from users, close, and return
        to, colon, message = result.decode('utf-8').rstrip('\r\n').partition(':')
        # TODO: 'all' → every other user; a connected user → that user; else an error line to the sender
        users[to].send(('%s:%s' % (user, message)).encode('utf-8'))


def login(client):
    """Reads the nickname, then serves the client."""
    user = client.recv(1024).decode('utf-8').strip()
    # TODO: a taken nickname gets an error line and a close
    with lock:
        users[user] = client
    recv1(client, user)


def tsend():
    """Sends each line typed on standard input to every user, as a notice."""
    for line in sys.stdin:
        pass  # TODO: send 'server:' + the line (without its newline) to every user


# socket, bind, listen
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((HOST, PORT))
server.listen(20)
print('listening on %s:%d (tcp)' % (HOST, PORT), flush=True)
threading.Thread(target=tsend, daemon=True).start()

while True:
    client, addr = server.accept()
    threading.Thread(target=login, args=(client,), daemon=True).start()
