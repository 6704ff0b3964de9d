# Broken: each client gets bytes for ever, with no line end and no pause (a send loop that never
# waits for the client): the grader must neither hang nor hold the flood in memory.
import socket, sys, threading


def flood(sock):
    try:
        while True:
            sock.sendall(b'x' * 65536)
    except OSError:
        sock.close()


s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen(5)
while True:
    sock, addr = s.accept()
    threading.Thread(target=flood, args=(sock,), daemon=True).start()
