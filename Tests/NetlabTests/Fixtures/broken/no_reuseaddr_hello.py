# A hello server without SO_REUSEADDR: after a stop, bind fails while connections sit in TIME_WAIT.
import socket, sys, threading
def tcplink(sock):
    sock.send(b'Welcome!')
    while True:
        data = sock.recv(1024)
        if not data or data == b'exit':
            break
        sock.send(b'Hello, %s!' % data)
    sock.close()
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen(5)
while True:
    c, _ = s.accept()
    threading.Thread(target=tcplink, args=(c,), daemon=True).start()
