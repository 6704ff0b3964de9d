# Broken: listens (TCP or UDP), then never answers anyone. argv: TRANSPORT PORT.
import socket, sys, time
transport, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if transport == 'tcp' else socket.SOCK_DGRAM)
s.bind(('127.0.0.1', port))
if transport == 'tcp':
    s.listen(5)
time.sleep(60)
