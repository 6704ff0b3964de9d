# Broken direct-message chat servers (seed 003). argv: FLAW PORT, FLAW one of:
#   echo            all:message reaches its sender too
#   one-at-a-time   serves one client until it leaves, the next waits in the backlog
#   crash-on-leave  the whole server dies when a client leaves
#   share-name      the seed as is: a second user with a taken nickname replaces the first
#   silent-unknown  a message to someone not connected is dropped without a word
#   no-notices      never reads its stdin, so the operator's notices go nowhere
#   keeps-name      a client that leaves (b'') ends its thread but keeps its nickname
#   spin-on-leave   a client that leaves (b'') is forgotten, but its thread calls recv() again and again;
#                   the classic bug spins for ever, this one until the next client connects, so a test
#                   run stays light (the last check's spinner spins until the grader stops it)
import os, socket, sys, threading

flaw, port = sys.argv[1], int(sys.argv[2])
users = {}
lock = threading.Lock()


def send(sock, text):
    try:
        sock.send(text.encode('utf-8'))
    except OSError:
        pass


def recv1(client, user):
    while True:
        try:
            result = client.recv(1024)
        except OSError:
            result = b''
        if not result:
            if flaw == 'crash-on-leave':
                os._exit(1)
            if flaw == 'spin-on-leave':
                with lock:
                    users.pop(user, None)
                seen = accepted
                while accepted == seen:
                    client.recv(1024)
            break
        to, colon, message = result.decode('utf-8', 'replace').rstrip('\r\n').partition(':')
        with lock:
            if to == 'all':
                receivers = [sock for name, sock in users.items() if name != user or flaw == 'echo']
            else:
                receivers = [users[to]] if to in users else None
        if receivers is None and flaw != 'silent-unknown':
            send(client, 'error:%s is not connected' % to)
        for sock in receivers or []:
            send(sock, '%s:%s' % (user, message))
    with lock:
        if users.get(user) is client and flaw != 'keeps-name':
            del users[user]
    client.close()


def login(client):
    user = client.recv(1024).decode('utf-8', 'replace').strip()
    with lock:
        taken = user in users and flaw != 'share-name'
        if not taken:
            users[user] = client
    if taken:
        send(client, 'error:the nickname %s is taken' % user)
        client.close()
        return
    recv1(client, user)


def tsend():
    for line in sys.stdin:
        with lock:
            receivers = list(users.values())
        for sock in receivers:
            send(sock, 'server:' + line.rstrip('\n'))


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', port))
server.listen(20)
if flaw != 'no-notices':
    threading.Thread(target=tsend, daemon=True).start()
accepted = 0  # clients accepted so far
while True:
    client, addr = server.accept()
    accepted += 1
    if flaw == 'one-at-a-time':
        login(client)
    else:
        threading.Thread(target=login, args=(client,), daemon=True).start()
