#!/usr/bin/env python3
"""Half-duplex chat server (exercise 16-7): complete the TODO parts. Run: python3 server.py PORT"""
import socket
import sys

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 21567

# socket, bind, listen, accept one client
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((HOST, PORT))
server.listen(1)
print('listening on %s:%d (tcp)' % (HOST, PORT), flush=True)
client, addr = server.accept()
print('connected from %s:%d' % addr)

while True:
    data = client.recv(1024)
    # TODO: when data is b'' the client has left: stop
    print('client>', data.decode('utf-8').rstrip('\r\n'))
    # TODO: read the reply typed on standard input, input('server> '), and send it ending with '\n';
    #       an empty line or quit (and EOFError, the end of input) ends the chat

client.close()
server.close()
