# Broken: the seed's 16-5 answer ported as is: ls sends Python's list repr, unsorted; the request
# is not stripped, so 'date\n' is not recognised; a fixed date string; crashes when a client leaves.
# argv: FLAW PORT, FLAW one of: list-repr, no-strip, fixed-date, os-timestamp, crash
import os, socket, sys
from time import ctime
flaw, port = sys.argv[1], int(sys.argv[2])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', port))
server.listen(5)
while True:
    client, addr = server.accept()
    while True:
        data = client.recv(1024)
        if not data:
            if flaw == 'crash':
                raise SystemExit('client left')
            break
        request = data.decode() if flaw == 'no-strip' else data.decode().strip()
        if request == 'date':
            reply = 'Thu Sep  1 15:35:45 2016' if flaw == 'fixed-date' else ctime()
        elif request == 'os' and flaw != 'os-timestamp':
            reply = os.name
        elif request == 'ls':
            reply = str(os.listdir(os.curdir)) if flaw == 'list-repr' else __import__('json').dumps(sorted(os.listdir('.')))
        else:
            reply = '[%s] %s' % (ctime(), request)
        client.send(reply.encode())
    client.close()
