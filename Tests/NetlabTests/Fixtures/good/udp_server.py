# Seed 000's tsUserv.py / seed 002's UDP hello server in Python 3: argv is MODE PORT.
import sys
from socket import *
from time import ctime

mode, port = sys.argv[1], int(sys.argv[2])
udpSerSock = socket(AF_INET, SOCK_DGRAM)
udpSerSock.bind(('127.0.0.1', port))
while True:
    data, addr = udpSerSock.recvfrom(1024)
    if mode == 'timestamp':
        reply = '[%s] %s' % (ctime(), data.decode())
    elif mode == 'hello':
        reply = 'Hello, %s!' % data.decode()
    else:
        reply = ctime()
    udpSerSock.sendto(reply.encode(), addr)
