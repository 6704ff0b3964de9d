#define _GNU_SOURCE
#include "CNetlabLinux.h"
#include <pthread.h>
#include <fcntl.h>
#include <unistd.h>

int cnetlab_accept4(int fd, struct sockaddr *address, socklen_t *length) {
    return accept4(fd, address, length, SOCK_CLOEXEC | SOCK_NONBLOCK);
}

void cnetlab_set_thread_name(const char *name) {
    pthread_setname_np(pthread_self(), name);
}

int cnetlab_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int cnetlab_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}
