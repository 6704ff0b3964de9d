// The Linux calls Swift's Glibc module does not expose: epoll, eventfd and accept4 for the socket core
// (Sources/NetlabSockets/), and pipe2 and the supervised spawn for the grader's spawner
// (Sources/NetlabKit/Grader/ChildProcess.swift).
#ifndef CNETLAB_EPOLL_H
#define CNETLAB_EPOLL_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

// Swift cannot read the EPOLL* enum constants as plain integers, so they are named here.
static const unsigned int cnetlab_EPOLLIN = EPOLLIN;
static const unsigned int cnetlab_EPOLLOUT = EPOLLOUT;
static const unsigned int cnetlab_EPOLLERR = EPOLLERR;
static const unsigned int cnetlab_EPOLLHUP = EPOLLHUP;
static const unsigned int cnetlab_EPOLLRDHUP = EPOLLRDHUP;
static const unsigned int cnetlab_EPOLLET = EPOLLET;

/// accept4(2) with SOCK_CLOEXEC | SOCK_NONBLOCK, so an accepted socket is never inherited.
int cnetlab_accept4(int fd, struct sockaddr *address, socklen_t *length);

/// The inodes of the sockets of `family` (AF_INET or AF_INET6) and `protocol` (IPPROTO_TCP: those
/// that listen; IPPROTO_UDP: every one) whose local port is `port`, from the kernel's socket
/// diagnostics (NETLINK_SOCK_DIAG, as ss(8) asks). A TCP question walks only the listeners, never the
/// table of every connection that /proc/net/tcp prints. Fills at most `capacity` inodes and returns
/// how many there are, or -errno when the kernel cannot answer.
int cnetlab_listening_inodes(int family, int protocol, int port, uint64_t *inodes, int capacity);

/// The kernel's view of one loopback TCP connection's end: local port `local_port` and remote port
/// `remote_port`, both on 127.0.0.1 (IPv4, or IPv6's ::ffff:127.0.0.1), looked up by its address in the
/// kernel's socket diagnostics (NETLINK_SOCK_DIAG): a hash lookup, never a walk of every connection.
/// Sets its TCP state and its unread bytes; returns 1, 0 when there is no such connection, or -errno.
int cnetlab_loopback_tcp_end(int local_port, int remote_port, int *state, uint32_t *unread);

/// How many CPUs this process may run on (sched_getaffinity(2)): fewer than are online under
/// `taskset` or a container's cpuset.
int cnetlab_usable_cpu_count(void);

/// pipe2(2) with O_CLOEXEC: both ends are closed in every child from their first instant.
int cnetlab_pipe_cloexec(int fds[2]);

/// Remembers a supervisor (see `cnetlab_spawn_supervised`), so an interrupt of netlab can end its
/// program (at most 256 at once).
void cnetlab_track_child(int supervisor);

/// Records the program a tracked supervisor started, whose process group an interrupt kills at once.
void cnetlab_track_program(int supervisor, int program);

/// Forgets a supervisor once it has been reaped.
void cnetlab_untrack_child(int supervisor);

/// Kills every tracked program's process group (SIGKILL), asks every tracked supervisor to end all
/// its program's descendants (SIGTERM), and waits up to 2 s for them to finish. Async-signal-safe.
void cnetlab_kill_tracked_children(void);

/// Remembers a temporary folder (or a Unix socket file), so an interrupt of netlab can remove it (at most 64 at once).
void cnetlab_track_folder(const char *path);

/// Forgets a temporary folder once netlab has removed it itself.
void cnetlab_untrack_folder(const char *path);

/// Removes every tracked folder and what it holds. Async-signal-safe.
void cnetlab_remove_tracked_folders(void);

/// On SIGINT, SIGTERM or SIGHUP: end every tracked program and its descendants (see
/// `cnetlab_kill_tracked_children`), remove every tracked folder, then _exit(128 + signal).
/// A C handler, because only async-signal-safe work may happen inside a signal handler.
void cnetlab_install_interrupt_handler(void);
/// A graceful stop: the first SIGINT or SIGTERM writes its number as one byte to `write_end`; a second
/// one, or SIGHUP, is an interrupt as with `cnetlab_install_interrupt_handler`.
void cnetlab_install_stop_handler(int write_end);

// Swift sees glibc's RLIMIT_NPROC and RLIMIT_NOFILE as macros it cannot import: all are named here.
static const int cnetlab_RLIMIT_NPROC = RLIMIT_NPROC;
static const int cnetlab_RLIMIT_AS = RLIMIT_AS;
static const int cnetlab_RLIMIT_FSIZE = RLIMIT_FSIZE;
static const int cnetlab_RLIMIT_CPU = RLIMIT_CPU;
static const int cnetlab_RLIMIT_NOFILE = RLIMIT_NOFILE;
static const int cnetlab_RLIMIT_CORE = RLIMIT_CORE;

/// One resource limit for the program, set with setrlimit(2) in the program alone.
typedef struct {
    int resource;
    unsigned long long soft;
    unsigned long long hard;
} cnetlab_limit;

/// How `cnetlab_spawn_supervised` starts a program. The descriptors are netlab's pipe ends; the
/// strings and arrays need to live only until the call returns.
typedef struct {
    /// The executable netlab found.
    const char *path;
    /// The program's name as typed (without '/'), looked up on `search_path` when its user cannot run
    /// `path`; NULL: no lookup.
    const char *name;
    const char *search_path;
    char *const *argv;
    char *const *envp;
    /// Its working folder.
    const char *folder;
    int stdin_fd, stdout_fd, stderr_fd;
    /// The read end of netlab's lifeline: a byte or its end (netlab closed it or died) asks the
    /// supervisor to end every descendant of the program and exit.
    int control_fd;
    /// The write end for the supervisor's `cnetlab_report` records.
    int report_fd;
    /// When >= 0, the program runs as this user and group, without supplementary groups (needs root).
    int uid, gid;
    /// A NULL-terminated list of folders covered by an empty read-only tmpfs in a mount namespace of
    /// the program's own (needs root); NULL or empty: the program shares netlab's mounts.
    const char *const *hidden;
    const cnetlab_limit *limits;
    int limit_count;
} cnetlab_spawn_config;

/// What a supervisor reports: started (value: the program's PID), failed to start (value: errno,
/// detail: a `CNETLAB_STEP_*`), exited (value: its wait status), swept (value: how many processes
/// it killed, just before the supervisor exits).
enum {
    CNETLAB_REPORT_STARTED = 1,
    CNETLAB_REPORT_FAILED = 2,
    CNETLAB_REPORT_EXITED = 3,
    CNETLAB_REPORT_SWEPT = 4,
};

/// Which step of starting the program failed.
enum {
    CNETLAB_STEP_FORK = 1,
    CNETLAB_STEP_SESSION = 2,
    CNETLAB_STEP_MOUNTS = 3,
    CNETLAB_STEP_LIMITS = 4,
    CNETLAB_STEP_USER = 5,
    CNETLAB_STEP_FOLDER = 6,
    CNETLAB_STEP_EXEC = 7,
    CNETLAB_STEP_TIMEOUT = 8,
};

typedef struct {
    int32_t kind;
    int32_t value;
    int32_t detail;
} cnetlab_report;

/// Forks a supervisor, which starts the program and outlives it until netlab lets go of the
/// lifeline; returns the supervisor's PID, or -errno when it could not be forked.
///
/// The supervisor is a child subreaper (PR_SET_CHILD_SUBREAPER), so every process the program starts,
/// however it detaches (setsid, double fork), stays its descendant. When the lifeline ends, it kills
/// them all (SIGKILL, a scan of /proc repeated until none is left), reaps them, reports
/// CNETLAB_REPORT_SWEPT and exits. The program runs in a session of its own (no controlling terminal),
/// with default signal handling, descriptors 0-2 only, no new privileges (PR_SET_NO_NEW_PRIVS), and
/// the config's limits, user and hidden folders. Only async-signal-safe calls run after the fork.
int cnetlab_spawn_supervised(const cnetlab_spawn_config *config);

/// pidfd_open(2): a descriptor that polls readable when the process has exited; -1 with errno if not.
int cnetlab_pidfd_open(int pid);

/// Whether a child can make a mount namespace of its own and mount a tmpfs in it: 0, or the errno.
int cnetlab_probe_mount_namespace(void);

/// Kills every process of user `uid` (a child switches to it and calls kill(-1, SIGKILL)) and waits
/// for that child: 0, or an errno. Needs root; refuses uid 0 and netlab's own user.
int cnetlab_kill_user(int uid);

/// pthread_setname_np(3) for the calling thread, so `top -H` shows which thread is a loop.
void cnetlab_set_thread_name(const char *name);

#endif
