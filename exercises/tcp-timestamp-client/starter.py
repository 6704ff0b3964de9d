#!/usr/bin/env python3
"""TCP timestamp client: complete the TODO parts. Run: python3 client.py HOST PORT"""
import socket
import sys

# TODO: take HOST and PORT from sys.argv; use the defaults only when neither is given.
HOST = 'localhost'
PORT = 21567
BUFSIZ = 1024

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect((HOST, PORT))
while True:
    try:
        data = input('> ')
    except EOFError:
        break
    # TODO: stop at an empty line.
    # TODO: send the line (encoded), receive the reply with recv(BUFSIZ), print it decoded
    pass
sock.close()
