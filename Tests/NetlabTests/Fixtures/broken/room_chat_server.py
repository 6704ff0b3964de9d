# Broken multi-room chat servers (16-9/10). argv: FLAW PORT, FLAW one of:
#   echo            sends each line back to its sender too
#   no-rooms        puts everyone in one room: names are taken across rooms, lines reach every room
#   one-at-a-time   serves one client until it leaves, the next waits in the backlog
#   crash-on-leave  the whole server dies when a client leaves, as a select() loop with an uncaught error does
#   crash-on-quit   the whole server dies with a KeyError when a client sends quit (a vanished client is fine)
#   share-name      lets a second user log in with a name already in the room
#   no-time         relays 'username: text', without the [ctime]
#   no-newline      relays lines with no newline, as the seed does: lines that come together run into one
#   keeps-name      a client that vanishes (b'') ends its thread but keeps its name in the room
#   spin-on-leave   a client that vanishes (b'') leaves its room, but its thread calls recv() again and
#                   again; the seed's thread spins for ever, this one until the next client connects, so
#                   a test run stays light (the last check's spinner spins until the grader stops it)
import os, socket, sys, threading
from time import ctime

flaw, port = sys.argv[1], int(sys.argv[2])
end = '' if flaw == 'no-newline' else '\n'
rooms = {}
lock = threading.Lock()


def send_room(room, text, sender):
    with lock:
        others = [sock for name, sock in rooms.get(room, {}).items() if name != sender or flaw == 'echo']
    for sock in others:
        try:
            sock.send(text.encode('utf-8'))
        except OSError:
            pass


def deal(sock, username, room):
    while True:
        try:
            data = sock.recv(1024)
        except OSError:
            data = b''
        text = data.decode('utf-8', 'replace').rstrip('\r\n')
        if not data or text == 'quit':
            if flaw == 'crash-on-leave' or (data and flaw == 'crash-on-quit'):
                if data:
                    print("Traceback (most recent call last):\nKeyError: '%s'" % username, file=sys.stderr, flush=True)
                os._exit(1)
            if data or flaw != 'keeps-name':
                with lock:
                    rooms[room].pop(username, None)
            send_room(room, '%s left the room at %s%s' % (username, ctime(), end), username)
            if not data and flaw == 'spin-on-leave':
                seen = accepted
                while accepted == seen:
                    sock.recv(1024)
            if data:
                sock.send(b'quit')
            sock.close()
            return
        line = '%s: %s' % (username, text) if flaw == 'no-time' else '[%s] %s: %s' % (ctime(), username, text)
        send_room(room, line + end, username)


def login(sock):
    words = sock.recv(1024).decode('utf-8', 'replace').split()
    if len(words) != 2:
        sock.close()
        return
    username, room = words
    if flaw == 'no-rooms':
        room = ''
    with lock:
        members = rooms.setdefault(room, {})
        taken = username in members and flaw != 'share-name'
        if not taken:
            members[username] = sock
    if taken:
        sock.send(b'reuse')
        sock.close()
        return
    sock.send(b'success')
    deal(sock, username, room)


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', port))
server.listen(32)
accepted = 0  # clients accepted so far
while True:
    sock, addr = server.accept()
    accepted += 1
    if flaw == 'one-at-a-time':
        login(sock)
    else:
        threading.Thread(target=login, args=(sock,), daemon=True).start()
