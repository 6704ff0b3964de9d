# Seed 001's 16-9/10 multi-room chat server, cs.py, ported to Python 3 line for line: str.split for
# string.split, != for <>, bytes encoded and decoded as UTF-8. Its bugs are kept on purpose: it compares
# data == "quit" exactly (so a client must send no line end), and a client that leaves without quit
# makes its thread relay empty messages for ever. Changed: the port comes from argv and it says where
# it listens. argv: PORT
from socket import *
from time import ctime
import threading
import sys

HOST = '127.0.0.1'
PORT = int(sys.argv[1])
BUFSIZE = 1024
ADDR = (HOST, PORT)

def Deal(sck, username, room):
    while True:
        data = sck.recv(BUFSIZE).decode()
        for i in list(clients[room].keys()):
            if i != username:
                if data != "quit":
                    clients[room][i].send(("[%s] %s: %s" % (ctime(), username, data)).encode())
                else:
                    clients[room][i].send(("用户%s在%s退出房间%s" % (username, ctime(), room)).encode())
        if data == "quit":
            del clients[room][username]
            sck.send(data.encode())
            sck.close()
            break

chatSerSock = socket(AF_INET, SOCK_STREAM)
chatSerSock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
chatSerSock.bind(ADDR)
chatSerSock.listen(5)
print("listening on 127.0.0.1:%d (tcp)" % chatSerSock.getsockname()[1], flush=True)
clients = {"": {}, }
while True:
    chatCliSock, addr = chatSerSock.accept()
    data = chatCliSock.recv(BUFSIZE).decode()
    username, room = data.split()
    print(username, flush=True)
    if room not in clients:
        clients[room] = {}
    if username in clients[room]:
        chatCliSock.send("reuse".encode())
        chatCliSock.close()
    else:
        chatCliSock.send("success".encode())
        clients[room][username] = chatCliSock
        t = threading.Thread(target=Deal, args=(chatCliSock, username, room), daemon=True)
        t.start()
