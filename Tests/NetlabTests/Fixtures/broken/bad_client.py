# Broken clients, one flaw each, chosen by argv[1]:
#   bytes-repr   prints b'...' instead of the text
#   prefix       sends 'msg: ' before each line
#   no-stop      does not stop at an empty line (sends it and waits for a reply forever)
#   eof-hang     treats end of input as more input and waits forever
#   fixed-port   ignores the port it is given and uses 21567
#   fixed-host   ignores the host it is given and uses 127.0.0.1
# then: TRANSPORT HOST PORT
import sys, time
from socket import *
flaw, transport, host, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if flaw == 'fixed-port':
    port = 21567
if flaw == 'fixed-host':
    host = '127.0.0.1'
addr = (host, port)
sock = socket(AF_INET, SOCK_STREAM if transport == 'tcp' else SOCK_DGRAM)
if transport == 'tcp':
    sock.connect(addr)
while True:
    line = sys.stdin.readline()
    if flaw == 'eof-hang' and line == '':
        time.sleep(60)
    data = line.rstrip('\n')
    if not data and flaw != 'no-stop':
        break
    out = ('msg: ' + data if flaw == 'prefix' else data).encode()
    if transport == 'tcp':
        sock.send(out)
        reply = sock.recv(1024)
    else:
        sock.sendto(out, addr)
        reply, _ = sock.recvfrom(1024)
    print(reply if flaw == 'bytes-repr' else reply.decode(), flush=True)
sock.close()
