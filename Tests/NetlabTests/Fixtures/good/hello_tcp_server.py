# Seed 002's threaded hello server in Python 3.
import socket, sys, threading

def tcplink(sock, addr):
    sock.send(b'Welcome!')
    while True:
        try:
            data = sock.recv(1024)
        except ConnectionResetError:
            break
        if not data or data.decode('utf-8') == 'exit':
            break
        sock.send(('Hello, %s!' % data.decode('utf-8')).encode('utf-8'))
    sock.close()

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen(5)
while True:
    sock, addr = s.accept()
    threading.Thread(target=tcplink, args=(sock, addr), daemon=True).start()
