# Broken: strips the newline from each message before answering, so a line's reply has none.
import sys
from socket import *
from time import ctime

s = socket(AF_INET, SOCK_STREAM)
s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen(5)
while True:
    c, _ = s.accept()
    while True:
        data = c.recv(1024)
        if not data:
            break
        c.send(('[%s] %s' % (ctime(), data.decode().strip())).encode())
    c.close()
