# Broken: like seed 000's tsUserv.py, which stops at an empty datagram ('if not data: break'). argv: MODE PORT.
import sys
from socket import *
from time import ctime
mode, port = sys.argv[1], int(sys.argv[2])
s = socket(AF_INET, SOCK_DGRAM)
s.bind(('127.0.0.1', port))
while True:
    data, addr = s.recvfrom(1024)
    if not data:
        break
    reply = '[%s] %s' % (ctime(), data.decode()) if mode == 'timestamp' else ctime()
    s.sendto(reply.encode(), addr)
