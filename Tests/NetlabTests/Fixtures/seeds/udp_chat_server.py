# Seed 003's UDP chat server ("UDP编程, 服务端实现"), in Python 3 as the seed writes it: receive one
# datagram, print it, read one line and send it back to the datagram's source address.
# Changed from the seed: it binds 127.0.0.1 and the port in argv (the seed binds 192.168.12.146:40000),
# and says where it listens. argv: PORT
from socket import *
import sys

serversocket = socket(AF_INET, SOCK_DGRAM)
SEND_ADDR = ("127.0.0.1", int(sys.argv[1]))
BUFFER_SIZE = 1024
serversocket.bind(SEND_ADDR)
print("listening on 127.0.0.1:%d (udp)" % serversocket.getsockname()[1], flush=True)
result = serversocket.recvfrom(BUFFER_SIZE)
print(result, flush=True)
info = input("请输入发送信息:")
serversocket.sendto(info.encode("utf8"), result[1])
