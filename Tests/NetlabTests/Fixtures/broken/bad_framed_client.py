# Broken framed clients, one flaw each, chosen by argv[1]:
#   native-endian   reads the length with the seed's struct.unpack('i'): native byte order
#   one-recv        assumes one recv() returns a whole frame, and drops what else it returned
#   zero-as-closed  takes an empty payload for a closed connection and stops
# then: HOST PORT
import json, socket, struct, sys

flaw = sys.argv[1]
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect((sys.argv[2], int(sys.argv[3])))

def recv_exact(n):
    data = b''
    while len(data) < n:
        chunk = sock.recv(min(n - len(data), 1 << 20))
        if not chunk:
            raise SystemExit('closed')
        data += chunk
    return data

for line in sys.stdin:
    line = line.rstrip('\n')
    if not line:
        break
    sock.sendall((line + '\n').encode())
    if flaw == 'one-recv':
        data = sock.recv(1 << 16)
        size = struct.unpack('!I', data[:4])[0]
        header = json.loads(data[4:4 + size].decode())
        payload = data[4 + size:4 + size + header['total_size']]
    else:
        raw = recv_exact(4)
        size = struct.unpack('i' if flaw == 'native-endian' else '!I', raw)[0]
        header = json.loads(recv_exact(size).decode())
        payload = recv_exact(header['total_size']) if header['total_size'] else b''
        if flaw == 'zero-as-closed' and not payload:
            break
    sys.stdout.buffer.write(payload[:header.get('stdout_size', len(payload))])
    sys.stdout.buffer.flush()
sock.close()
