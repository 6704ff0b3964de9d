# Exercise 16-5's command server in Python 3, as a student would finish the starter: a thread per client.
import json, os, platform, socket, sys, threading
from time import ctime


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
        else:
            reply = '[%s] %s' % (ctime(), request)
        client.send((reply + '\n').encode('utf-8'))
    client.close()


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', int(sys.argv[1])))
server.listen(5)
while True:
    client, addr = server.accept()
    threading.Thread(target=serve, args=(client,), daemon=True).start()
