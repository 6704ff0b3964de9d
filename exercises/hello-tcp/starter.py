#!/usr/bin/env python3
"""Hello server over TCP: complete the TODO parts. Run: python3 server.py PORT"""
import socket
import sys
import threading

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 21567

# socket, bind, listen
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((HOST, PORT))
server.listen(5)
print('listening on %s:%d (tcp)' % (HOST, PORT), flush=True)

def tcplink(sock, addr):
    # TODO: send b'Welcome!', then answer each message X with 'Hello, X!' until 'exit' or b''
    sock.close()


while True:
    sock, addr = server.accept()
    # TODO: serve each client in its own thread, so several are served at once
    tcplink(sock, addr)
