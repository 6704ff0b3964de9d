# Seed 000's tsTclnt.py / tsUclnt.py in Python 3, with the host and port from argv (exercise 16-4).
import sys
from socket import *

transport = sys.argv[1]
HOST = sys.argv[2] if len(sys.argv) > 2 else 'localhost'
PORT = int(sys.argv[3]) if len(sys.argv) > 3 else 21567
ADDR = (HOST, PORT)
sock = socket(AF_INET, SOCK_STREAM if transport == 'tcp' else SOCK_DGRAM)
if transport == 'tcp':
    sock.connect(ADDR)
while True:
    try:
        data = input('> ')
    except EOFError:
        break
    if not data:
        break
    if transport == 'tcp':
        sock.send(data.encode())
        data = sock.recv(1024)
    else:
        sock.sendto(data.encode(), ADDR)
        data, _ = sock.recvfrom(1024)
    if not data:
        break
    print(data.decode())
sock.close()
