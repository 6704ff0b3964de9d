#!/usr/bin/env python3
"""The chat benchmark's Python anchor: seed 001's threaded room server (cs.py, 16-9/10) in Python 3,
with lines instead of recv chunks, as `netlab chat server` speaks the rooms protocol.

The first line is `username room`; the answer is `success` (or `reuse` and a close when the name is
taken in that room); every later line goes to the others in the room as `[ctime] username: text`;
`quit` leaves. One thread per client, as in the seed; the sender's thread writes to every receiver.

Run: python3 python_chat_server.py PORT   (PORT 0 picks a free one)
"""
import socket
import socketserver
import sys
import threading
from time import ctime

rooms = {}  # room -> {username: socket}
rooms_lock = threading.Lock()


class ChatHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        words = self.rfile.readline().decode('utf-8', 'replace').split()
        if len(words) != 2:
            self.request.sendall(b"error: log in with 'username room'\n")
            return
        username, room = words
        with rooms_lock:
            members = rooms.setdefault(room, {})
            if username in members:
                self.request.sendall(b'reuse\n')
                return
            members[username] = self.request
        self.request.sendall(b'success\n')
        try:
            for raw in self.rfile:
                text = raw.decode('utf-8', 'replace').rstrip('\r\n')
                if text == 'quit':
                    self.request.sendall(b'quit\n')
                    break
                self.broadcast(room, username, ('[%s] %s: %s\n' % (ctime(), username, text)).encode())
        finally:
            with rooms_lock:
                rooms[room].pop(username, None)
            self.broadcast(room, username, ('[%s] %s left the room\n' % (ctime(), username)).encode())

    @staticmethod
    def broadcast(room, sender, line):
        with rooms_lock:
            receivers = [s for name, s in rooms.get(room, {}).items() if name != sender]
        for receiver in receivers:
            try:
                receiver.sendall(line)
            except OSError:
                pass


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024


server = Server(('127.0.0.1', int(sys.argv[1])), ChatHandler)
print('listening on %s:%d (tcp)' % server.server_address, flush=True)
server.serve_forever()
