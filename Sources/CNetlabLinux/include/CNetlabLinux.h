// The Linux calls Swift's Glibc module does not expose: epoll, eventfd and accept4 for the socket core
// (Sources/NetlabKit/Sockets/), and pipe2 and posix_spawn's chdir for the grader's spawner
// (Sources/NetlabKit/Grader/ChildProcess.swift).
#ifndef CNETLAB_EPOLL_H
#define CNETLAB_EPOLL_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <spawn.h>

// Swift cannot read the EPOLL* enum constants as plain integers, so they are named here.
static const unsigned int cnetlab_EPOLLIN = EPOLLIN;
static const unsigned int cnetlab_EPOLLOUT = EPOLLOUT;
static const unsigned int cnetlab_EPOLLERR = EPOLLERR;
static const unsigned int cnetlab_EPOLLHUP = EPOLLHUP;
static const unsigned int cnetlab_EPOLLRDHUP = EPOLLRDHUP;
static const unsigned int cnetlab_EPOLLET = EPOLLET;

/// accept4(2) with SOCK_CLOEXEC | SOCK_NONBLOCK, so an accepted socket is never inherited.
int cnetlab_accept4(int fd, struct sockaddr *address, socklen_t *length);

/// How many CPUs this process may run on (sched_getaffinity(2)): fewer than are online under
/// `taskset` or a container's cpuset.
int cnetlab_usable_cpu_count(void);

/// pipe2(2) with O_CLOEXEC: both ends are closed in every child from their first instant.
int cnetlab_pipe_cloexec(int fds[2]);

/// posix_spawn_file_actions_addchdir_np(3): the child starts in this folder.
int cnetlab_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path);

/// posix_spawn_file_actions_addclosefrom_np(3): the child closes every descriptor from `lowest` up,
/// so it inherits nothing, not even descriptors some library opened without close-on-exec.
int cnetlab_spawn_add_closefrom(posix_spawn_file_actions_t *actions, int lowest);

/// Remembers a child's process group, so an interrupt of netlab can end it (at most 256 at once).
void cnetlab_track_child(int pid);

/// Forgets a child's process group once it has been reaped.
void cnetlab_untrack_child(int pid);

/// Kills every tracked process group with SIGKILL. Async-signal-safe.
void cnetlab_kill_tracked_children(void);

/// Remembers a temporary folder (or a Unix socket file), so an interrupt of netlab can remove it (at most 64 at once).
void cnetlab_track_folder(const char *path);

/// Forgets a temporary folder once netlab has removed it itself.
void cnetlab_untrack_folder(const char *path);

/// Removes every tracked folder and what it holds. Async-signal-safe.
void cnetlab_remove_tracked_folders(void);

/// On SIGINT, SIGTERM or SIGHUP: kill every tracked child's group, remove every tracked folder,
/// then _exit(128 + signal).
/// A C handler, because only async-signal-safe work may happen inside a signal handler.
void cnetlab_install_interrupt_handler(void);

/// pthread_setname_np(3) for the calling thread, so `top -H` shows which thread is a loop.
void cnetlab_set_thread_name(const char *name);

#endif
