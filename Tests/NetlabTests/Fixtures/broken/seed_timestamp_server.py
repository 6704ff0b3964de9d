# Broken: seed 000's tsTserv.py in Python 3, exactly as the seed has it: a client that closes ends its
# loop (recv returns b''), but a client that resets the connection makes recv raise
# ConnectionResetError, which nothing catches, and the whole server ends. argv: PORT
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
        data = tcpCliSock.recv(1024)
        if not data:
            break
        tcpCliSock.send(('[%s] %s' % (ctime(), data.decode())).encode())
    tcpCliSock.close()
