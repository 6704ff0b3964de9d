# Broken command servers (16-5), each correct but for one flaw. argv: FLAW PORT, FLAW one of:
#   no-newline      replies with no newline, as the seed does: replies cannot be read as lines
#   one-at-a-time   serves one client until it leaves, as the seed does: the next one waits
#   bytes-repr      formats the bytes it received into its reply: '[ctime] b'hello''
import json, os, platform, socket, sys, threading
from time import ctime

flaw, port = sys.argv[1], int(sys.argv[2])


def serve(client):
    while True:
        try:
            data = client.recv(1024)
        except ConnectionResetError:
            break
        if not data:
            break
        request = data.decode('utf-8').strip()
        if request == 'date':
            reply = ctime()
        elif request == 'os':
            reply = platform.system() + ' ' + platform.release()
        elif request == 'ls':
            reply = json.dumps(sorted(os.listdir('.')))
        elif flaw == 'bytes-repr':
            reply = '[%s] %s' % (ctime(), data)
        else:
            reply = '[%s] %s' % (ctime(), request)
        client.sendall((reply + ('' if flaw == 'no-newline' else '\n')).encode('utf-8'))
    client.close()


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', port))
server.listen(5)
while True:
    client, addr = server.accept()
    if flaw == 'one-at-a-time':
        serve(client)
    else:
        threading.Thread(target=serve, args=(client,), daemon=True).start()
