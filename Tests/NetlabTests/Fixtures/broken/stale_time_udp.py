# Broken: a daytime server that answers with a fixed time, and exits on an empty datagram.
import sys
from socket import *
s = socket(AF_INET, SOCK_DGRAM)
s.bind(('127.0.0.1', int(sys.argv[1])))
while True:
    data, addr = s.recvfrom(1024)
    if not data:
        break
    s.sendto(b'Thu Sep  1 15:35:45 2016', addr)
