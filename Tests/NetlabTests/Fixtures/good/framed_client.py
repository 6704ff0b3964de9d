# Seed 004's final client in Python 3, fixed: '!I' and a recv_exact loop.
import json, socket, struct, sys

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect((sys.argv[1], int(sys.argv[2])))

def recv_exact(n):
    data = b''
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise SystemExit('the server closed the connection')
        data += chunk
    return data

for line in sys.stdin:
    line = line.rstrip('\n')
    if not line:
        break
    sock.sendall((line + '\n').encode())
    header_size = struct.unpack('!I', recv_exact(4))[0]
    header = json.loads(recv_exact(header_size).decode())
    payload = recv_exact(header['total_size'])
    sys.stdout.buffer.write(payload[:header['stdout_size']])
    sys.stdout.buffer.flush()
    sys.stderr.buffer.write(payload[header['stdout_size']:])
sock.close()
