# Broken: replies to the wrong address (the sender's port plus one), and stops at an empty datagram.
import sys
from socket import *
from time import ctime
s = socket(AF_INET, SOCK_DGRAM)
s.bind(('127.0.0.1', int(sys.argv[1])))
while True:
    data, addr = s.recvfrom(1024)
    if not data:
        break
    s.sendto(('[%s] %s' % (ctime(), data.decode())).encode(), (addr[0], addr[1] + 1))
