#define _GNU_SOURCE
#include "CNetlabEpoll.h"
#include <pthread.h>

int cnetlab_accept4(int fd, struct sockaddr *address, socklen_t *length) {
    return accept4(fd, address, length, SOCK_CLOEXEC | SOCK_NONBLOCK);
}

void cnetlab_set_thread_name(const char *name) {
    pthread_setname_np(pthread_self(), name);
}
