# Seed 000's tsUserv.py / seed 002's UDP hello server in Python 3: argv is MODE PORT.
# MODE daytime answers with time.ctime(); daytime-iso with datetime's ISO 8601, daytime-rfc2822
# with email's RFC 2822 form and daytime-date as date(1) writes it, zone name and all: RFC 867
# allows any.
import sys
from datetime import datetime
from email.utils import formatdate
from socket import *
import time
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
    elif mode == 'daytime-iso':
        reply = datetime.now().isoformat() + '\r\n'
    elif mode == 'daytime-rfc2822':
        reply = formatdate(localtime=True) + '\r\n'
    elif mode == 'daytime-date':
        reply = time.strftime('%a %b %d %H:%M:%S %Z %Y') + '\r\n'
    else:
        reply = ctime()
    udpSerSock.sendto(reply.encode(), addr)
