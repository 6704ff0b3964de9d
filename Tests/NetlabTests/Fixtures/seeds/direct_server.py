# Seed 003's multi-user chat server ("实现多人聊天, 服务端"), ported to Python 3 as the seed writes it:
# nicknames stored exactly as received, GBK text, 'to:message' relayed as 'from:message'. Changed: it
# binds 127.0.0.1 and the port in argv, says where it listens, its threads are daemons, and the operator
# thread (tsend) is left out, since the tests type nothing on its stdin. argv: PORT
from socket import *
from threading import Thread
import sys

def recv1(client, user):
    while True:
        result = client.recv(1024)
        if len(result) > 0:
            result = result.decode("gbk").split(":")
            to = result[0]
            message = result[1]
            if to == "all":
                for u in users.keys():
                    if user != u:
                        users[u].send((user + ":" + message).encode("gbk"))
            else:
                if to in users.keys():
                    users[to].send((user + ":" + message).encode("gbk"))
                else:
                    client.send("对方已离线,不能接收消息".encode("gbk"))
        else:
            client.close()
            users.pop(user)
            break

def slisten(s, users):
    while True:
        client, addr = s.accept()
        user = client.recv(1024).decode("gbk")
        users[user] = client
        print("用户", user, "连接上了, 共有用户", len(users), flush=True)
        tc = Thread(target=recv1, args=(client, user), daemon=True)
        tc.start()

if __name__ == "__main__":
    users = {}
    server = socket(AF_INET, SOCK_STREAM)
    server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", int(sys.argv[1])))
    server.listen(20)
    print("listening on 127.0.0.1:%d (tcp)" % server.getsockname()[1], flush=True)
    slisten(server, users)
