// The Linux calls Swift's Glibc module does not expose: epoll, eventfd and accept4.
// Only Sources/NetlabKit/Sockets/ uses this module.
#ifndef CNETLAB_EPOLL_H
#define CNETLAB_EPOLL_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

// Swift cannot read the EPOLL* enum constants as plain integers, so they are named here.
static const unsigned int cnetlab_EPOLLIN = EPOLLIN;
static const unsigned int cnetlab_EPOLLOUT = EPOLLOUT;
static const unsigned int cnetlab_EPOLLERR = EPOLLERR;
static const unsigned int cnetlab_EPOLLHUP = EPOLLHUP;
static const unsigned int cnetlab_EPOLLRDHUP = EPOLLRDHUP;
static const unsigned int cnetlab_EPOLLET = EPOLLET;

/// accept4(2) with SOCK_CLOEXEC | SOCK_NONBLOCK, so an accepted socket is never inherited.
int cnetlab_accept4(int fd, struct sockaddr *address, socklen_t *length);

/// pthread_setname_np(3) for the calling thread, so `top -H` shows which thread is a loop.
void cnetlab_set_thread_name(const char *name);

#endif
