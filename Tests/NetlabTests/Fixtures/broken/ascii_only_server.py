# Broken: a timestamp server (TCP or UDP) that mangles anything beyond ASCII. argv: TRANSPORT PORT.
import sys, threading
from socket import *
from time import ctime
transport, port = sys.argv[1], int(sys.argv[2])
def answer(data):
    return ('[%s] %s' % (ctime(), data.decode('ascii', 'replace'))).encode('ascii', 'replace')
if transport == 'udp':
    s = socket(AF_INET, SOCK_DGRAM)
    s.bind(('127.0.0.1', port))
    while True:
        data, addr = s.recvfrom(1024)
        s.sendto(answer(data), addr)
s = socket(AF_INET, SOCK_STREAM)
s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
s.bind(('127.0.0.1', port))
s.listen(5)
while True:
    c, _ = s.accept()
    while True:
        data = c.recv(1024)
        if not data:
            break
        c.send(answer(data))
    c.close()
