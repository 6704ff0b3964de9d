# A hello server that reads its greeting from a folder named on its command line (argv: PORT FOLDER),
# and refuses to start when the grader rewrote that name: the folder must be passed as written and
# resolve in the program's own copy of its folder.
import os, socket, sys, threading

port, folder = int(sys.argv[1]), sys.argv[2]
if os.path.isabs(folder):
    sys.exit('the folder came as %s, not as written' % folder)
greeting = open(os.path.join(folder, 'greeting.txt'), 'rb').read().strip()


def tcplink(sock):
    sock.send(greeting)
    while True:
        data = sock.recv(1024)
        if not data or data == b'exit':
            break
        sock.send(b'Hello, %s!' % data)
    sock.close()


s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', port))
s.listen(5)
while True:
    sock, addr = s.accept()
    threading.Thread(target=tcplink, args=(sock,), daemon=True).start()
