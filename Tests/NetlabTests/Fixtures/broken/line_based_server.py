# Broken: waits for a newline before answering, so the course's client (which sends none) hangs,
# and exits on the first disconnect in the middle of a line.
import socket, sys
from time import ctime
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen(5)
while True:
    c, _ = s.accept()
    f = c.makefile('rb')
    for line in f:
        if not line.endswith(b'\n'):
            raise SystemExit('half a line!')
        c.send(('[%s] %s' % (ctime(), line.decode())).encode())
    c.close()
