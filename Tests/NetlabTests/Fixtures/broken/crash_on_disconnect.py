# Broken: serves one client, then the whole program ends when that client leaves. argv: MODE PORT.
import socket, sys
from time import ctime

mode, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', port))
s.listen(5)
sock, addr = s.accept()
if mode == 'hello':
    sock.send(b'Welcome!')
while True:
    data = sock.recv(1024)
    if not data:
        raise SystemExit('client left, so do I')
    if mode == 'hello':
        if data == b'exit':
            break
        sock.send(b'Hello, %s!' % data)
    else:
        sock.send(('[%s] %s' % (ctime(), data.decode())).encode())
