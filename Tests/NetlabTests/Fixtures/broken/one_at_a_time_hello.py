# Broken: the hello server without threads, so a second client waits for the first to leave.
import socket, sys

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen(5)
while True:
    sock, addr = s.accept()
    sock.send(b'Welcome!')
    while True:
        data = sock.recv(1024)
        if not data or data == b'exit':
            break
        sock.send(b'Hello, %s!' % data)
    sock.close()
