# Broken: forgets the brackets and the newline handling: 'ctime data', and 'Hi X' for hello. TCP or UDP.
import sys, threading
from socket import *
from time import ctime

transport, port = sys.argv[1], int(sys.argv[2])
if transport == 'tcp':
    s = socket(AF_INET, SOCK_STREAM)
    s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port))
    s.listen(5)
    def serve(c):
        c.send(b'Welcome')
        while True:
            data = c.recv(1024)
            if not data:
                break
            c.send(('%s %s' % (ctime(), data.decode())).encode())
        c.close()
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
else:
    s = socket(AF_INET, SOCK_DGRAM)
    s.bind(('127.0.0.1', port))
    while True:
        data, addr = s.recvfrom(1024)
        s.sendto(('Hi %s at 12:00' % data.decode()).encode(), addr)
