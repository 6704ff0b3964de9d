# Broken half-duplex chat servers (16-7). argv: FLAW PORT, FLAW one of:
#   seed         the seed as is: a client that leaves makes it spin on recv, quit is sent as a message
#   full-duplex  sends each typed line at once, whoever's turn it is (that is 16-8)
#   echo         answers with the client's own line instead of what is typed
#   silent       never shows what the client sends
#   no-newline   takes turns right, but sends each reply without the newline the protocol ends it with
#   empty-ok     ends with '\n' as it should, but only quit ends the chat: an empty line is sent on
import socket, sys, threading, time

flaw, port = sys.argv[1], int(sys.argv[2])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', port))
server.listen(1)
client, addr = server.accept()


def type_freely():
    for line in sys.stdin:
        client.send(line.encode('utf-8'))


if flaw == 'full-duplex':
    threading.Thread(target=type_freely, daemon=True).start()
while True:
    data = client.recv(1024)
    if not data:
        if flaw == 'seed':
            time.sleep(0.01)  # the seed spins here at full speed; a pause spares the test machine
            continue
        break
    if flaw != 'silent':
        print('client>', data.decode('utf-8', 'replace').rstrip('\r\n'))
    if flaw == 'full-duplex':
        continue
    if flaw == 'echo':
        client.send(data)
        continue
    reply = input('server> ')
    if flaw != 'seed' and (reply == 'quit' or (reply == '' and flaw != 'empty-ok')):
        break
    client.send((reply + ('\n' if flaw == 'empty-ok' else '')).encode('utf-8'))
client.close()
