# Seed 001's 16-7 half-duplex chat, the server side, in Python 3: strict turns, the client first.
# Fixed from the seed: a client that leaves (recv returns b'') ends the chat instead of spinning,
# and typing quit, an empty line or Ctrl-D ends it too. argv: PORT
import socket, sys

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', int(sys.argv[1])))
server.listen(1)
print('listening on 127.0.0.1:%s (tcp)' % sys.argv[1], flush=True)
client, addr = server.accept()
print('connected from %s:%d' % addr)
while True:
    data = client.recv(1024)
    if not data:
        print('the client left')
        break
    print('client>', data.decode('utf-8', 'replace').rstrip('\r\n'))
    try:
        reply = input('server> ')
    except EOFError:
        reply = ''
    if reply in ('', 'quit'):
        break
    client.send((reply + '\n').encode('utf-8'))
client.close()
server.close()
