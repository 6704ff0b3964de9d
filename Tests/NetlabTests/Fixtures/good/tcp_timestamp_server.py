# Seed 000's tsTserv.py in Python 3: answers each recv with '[ctime] data'. The port comes from argv.
import sys
from socket import *
from time import ctime

tcpSerSock = socket(AF_INET, SOCK_STREAM)
tcpSerSock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
tcpSerSock.bind(('127.0.0.1', int(sys.argv[1])))
tcpSerSock.listen(5)
while True:
    tcpCliSock, addr = tcpSerSock.accept()
    while True:
        try:
            data = tcpCliSock.recv(1024)
        except ConnectionResetError:
            break
        if not data:
            break
        tcpCliSock.send(('[%s] %s' % (ctime(), data.decode())).encode())
    tcpCliSock.close()
