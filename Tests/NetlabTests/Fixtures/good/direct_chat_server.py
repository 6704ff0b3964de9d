# Seed 003's multi-user chat server with direct messages, in Python 3: a thread per client, and one
# (tsend) that sends each line typed on stdin to everyone. Like the seed, it sends no newlines.
# Fixed from the seed: UTF-8 instead of GBK, a taken nickname is refused, an unknown target gets an
# 'error:' line the seed's client can split on ':', notices come as 'server:text', a lock guards the
# users, and a client that vanishes is removed. argv: PORT
import socket, sys, threading

users = {}  # nickname -> socket
lock = threading.Lock()


def send(sock, text):
    try:
        sock.send(text.encode('utf-8'))
    except OSError:
        pass  # that client is leaving; its own thread removes it


def recv1(client, user):
    while True:
        try:
            result = client.recv(1024)
        except OSError:
            result = b''
        if not result:
            break
        to, colon, message = result.decode('utf-8', 'replace').rstrip('\r\n').partition(':')
        if not colon:
            send(client, 'error:write to:message, or all:message for everyone')
            continue
        with lock:
            if to == 'all':
                receivers = [sock for name, sock in users.items() if name != user]
            else:
                receivers = [users[to]] if to in users else None
        if receivers is None:
            send(client, 'error:%s is not connected, so the message was not sent' % to)
        for sock in receivers or []:
            send(sock, '%s:%s' % (user, message))
    with lock:
        users.pop(user, None)
    client.close()


def login(client):
    user = client.recv(1024).decode('utf-8', 'replace').strip()
    with lock:
        taken = not user or user in users
        if not taken:
            users[user] = client
    if taken:
        send(client, 'error:the nickname %s is taken; choose another' % user)
        client.close()
        return
    print('用户', user, '连接上了, 共有用户', len(users), flush=True)
    recv1(client, user)


def tsend():
    for line in sys.stdin:
        with lock:
            receivers = list(users.values())
        for sock in receivers:
            send(sock, 'server:' + line.rstrip('\n'))


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', int(sys.argv[1])))
server.listen(20)
print('listening on 127.0.0.1:%s (tcp)' % sys.argv[1], flush=True)
threading.Thread(target=tsend, daemon=True).start()
while True:
    client, addr = server.accept()
    threading.Thread(target=login, args=(client,), daemon=True).start()
