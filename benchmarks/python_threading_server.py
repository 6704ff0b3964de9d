#!/usr/bin/env python3
"""The benchmark's Python anchor: socketserver.ThreadingTCPServer (seed 000/001's socketserver example)
answering each line exactly as `netlab tcp server --reply timestamp|echo` does.

Run: python3 python_threading_server.py MODE PORT   (MODE timestamp or echo; PORT 0 picks a free one)
"""
import socketserver
import sys
from time import ctime

MODE = sys.argv[1]


class LineHandler(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            if MODE == 'timestamp':
                self.wfile.write(('[%s] ' % ctime()).encode() + line)
            else:
                self.wfile.write(line)
            self.wfile.flush()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024


server = Server(('127.0.0.1', int(sys.argv[2])), LineHandler)
print('listening on %s:%d (tcp)' % server.server_address, flush=True)
server.serve_forever()
