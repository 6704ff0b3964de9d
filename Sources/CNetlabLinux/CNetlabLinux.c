#define _GNU_SOURCE
#include "CNetlabLinux.h"
#include <pthread.h>
#include <fcntl.h>
#include <unistd.h>
#include <signal.h>
#include <string.h>
#include <sched.h>
#include <sys/syscall.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

int cnetlab_listening_inodes(int family, int protocol, int port, uint64_t *inodes, int capacity) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) return -errno;
    struct {
        struct nlmsghdr header;
        struct inet_diag_req_v2 request;
    } message;
    memset(&message, 0, sizeof message);
    message.header.nlmsg_len = sizeof message;
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    message.request.sdiag_family = (uint8_t)family;
    message.request.sdiag_protocol = (uint8_t)protocol;
    message.request.idiag_states = protocol == IPPROTO_TCP ? (1u << TCP_LISTEN) : 0xFFFFFFFFu;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    ssize_t sent;
    do {
        sent = sendto(fd, &message, sizeof message, 0, (struct sockaddr *)&kernel, sizeof kernel);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    static _Thread_local char buffer[32768] __attribute__((aligned(8)));
    int count = 0;
    for (;;) {
        ssize_t length = recv(fd, buffer, sizeof buffer, 0);
        if (length < 0 && errno == EINTR) continue;
        if (length <= 0) {
            int error = length < 0 ? errno : EIO;
            close(fd);
            return -error;
        }
        for (struct nlmsghdr *header = (struct nlmsghdr *)buffer; NLMSG_OK(header, (size_t)length);
             header = NLMSG_NEXT(header, length)) {
            if (header->nlmsg_type == NLMSG_DONE) {
                close(fd);
                return count;
            }
            if (header->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *failure = NLMSG_DATA(header);
                close(fd);
                return failure->error < 0 ? failure->error : -EIO;
            }
            struct inet_diag_msg *socket = NLMSG_DATA(header);
            if (ntohs(socket->id.idiag_sport) == port) {
                if (count < capacity) inodes[count] = socket->idiag_inode;
                count++;
            }
        }
    }
}

int cnetlab_loopback_tcp_end(int local_port, int remote_port, int *state, uint32_t *unread) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) return -errno;
    int families[2] = {AF_INET, AF_INET6};
    int result = 0;
    for (int which = 0; which < 2 && result == 0; which++) {
        struct {
            struct nlmsghdr header;
            struct inet_diag_req_v2 request;
        } message;
        memset(&message, 0, sizeof message);
        message.header.nlmsg_len = sizeof message;
        message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
        message.header.nlmsg_flags = NLM_F_REQUEST;
        message.request.sdiag_family = (uint8_t)families[which];
        message.request.sdiag_protocol = IPPROTO_TCP;
        message.request.idiag_states = 0xFFFFFFFFu;
        message.request.id.idiag_sport = htons((uint16_t)local_port);
        message.request.id.idiag_dport = htons((uint16_t)remote_port);
        message.request.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
        message.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
        uint32_t loopback = htonl(INADDR_LOOPBACK);
        if (families[which] == AF_INET) {
            message.request.id.idiag_src[0] = loopback;
            message.request.id.idiag_dst[0] = loopback;
        } else {  // ::ffff:127.0.0.1, as an IPv6 socket accepting IPv4 sees it
            message.request.id.idiag_src[2] = message.request.id.idiag_dst[2] = htonl(0xFFFF);
            message.request.id.idiag_src[3] = message.request.id.idiag_dst[3] = loopback;
        }
        struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
        ssize_t sent;
        do {
            sent = sendto(fd, &message, sizeof message, 0, (struct sockaddr *)&kernel, sizeof kernel);
        } while (sent < 0 && errno == EINTR);
        if (sent < 0) {
            result = -errno;
            break;
        }
        char buffer[8192] __attribute__((aligned(8)));
        ssize_t length;
        do {
            length = recv(fd, buffer, sizeof buffer, 0);
        } while (length < 0 && errno == EINTR);
        struct nlmsghdr *header = (struct nlmsghdr *)buffer;
        if (length <= 0 || !NLMSG_OK(header, (size_t)length)) {
            result = length < 0 ? -errno : -EIO;
        } else if (header->nlmsg_type == NLMSG_ERROR) {
            struct nlmsgerr *failure = NLMSG_DATA(header);
            // ENOENT: no such connection in this family.
            if (failure->error != -ENOENT) result = failure->error < 0 ? failure->error : -EIO;
        } else {
            struct inet_diag_msg *found = NLMSG_DATA(header);
            // With no connection of that address, the lookup falls back to a listener on the port.
            if (found->idiag_state != TCP_LISTEN) {
                *state = found->idiag_state;
                *unread = found->idiag_rqueue;
                result = 1;
            }
        }
    }
    close(fd);
    return result;
}

int cnetlab_accept4(int fd, struct sockaddr *address, socklen_t *length) {
    return accept4(fd, address, length, SOCK_CLOEXEC | SOCK_NONBLOCK);
}

int cnetlab_usable_cpu_count(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int count = CPU_COUNT(&set);
        if (count > 0) return count;
    }
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int)online : 1;
}

void cnetlab_set_thread_name(const char *name) {
    pthread_setname_np(pthread_self(), name);
}

int cnetlab_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

static long monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1000L + now.tv_nsec / 1000000L;
}

static void pause_ms(long milliseconds) {
    struct timespec rest = {milliseconds / 1000, (milliseconds % 1000) * 1000000L};
    while (nanosleep(&rest, &rest) < 0 && errno == EINTR) {}
}

// Supervisors to end on an interrupt. A slot is 0 (free), 1 (being filled) or 2 (ready), as for folders.
#define CNETLAB_MAX_CHILDREN 256
static volatile sig_atomic_t child_state[CNETLAB_MAX_CHILDREN];
static volatile sig_atomic_t child_supervisor[CNETLAB_MAX_CHILDREN];
static volatile sig_atomic_t child_program[CNETLAB_MAX_CHILDREN];

void cnetlab_track_child(int supervisor) {
    for (int i = 0; i < CNETLAB_MAX_CHILDREN; i++) {
        if (__sync_bool_compare_and_swap(&child_state[i], 0, 1)) {
            child_supervisor[i] = supervisor;
            child_program[i] = 0;
            __sync_synchronize();
            child_state[i] = 2;
            return;
        }
    }
}

void cnetlab_track_program(int supervisor, int program) {
    for (int i = 0; i < CNETLAB_MAX_CHILDREN; i++) {
        if (child_state[i] == 2 && child_supervisor[i] == supervisor) {
            child_program[i] = program;
            return;
        }
    }
}

void cnetlab_untrack_child(int supervisor) {
    for (int i = 0; i < CNETLAB_MAX_CHILDREN; i++) {
        if (child_state[i] == 2 && child_supervisor[i] == supervisor
            && __sync_bool_compare_and_swap(&child_state[i], 2, 1)) {
            child_supervisor[i] = 0;
            child_program[i] = 0;
            __sync_synchronize();
            child_state[i] = 0;
            return;
        }
    }
}

void cnetlab_kill_tracked_children(void) {
    for (int i = 0; i < CNETLAB_MAX_CHILDREN; i++) {
        if (child_state[i] != 2) continue;
        if (child_program[i] > 0) kill(-child_program[i], SIGKILL);
        if (child_supervisor[i] > 0) kill(child_supervisor[i], SIGTERM);
    }
    // Each supervisor now kills the descendants that left the program's group; wait for them, a while.
    long deadline = monotonic_ms() + 2000;
    for (int i = 0; i < CNETLAB_MAX_CHILDREN; i++) {
        if (child_state[i] != 2 || child_supervisor[i] <= 0) continue;
        while (waitpid(child_supervisor[i], NULL, WNOHANG) == 0 && monotonic_ms() < deadline) pause_ms(2);
    }
}

// MARK: The supervised spawn. Everything below runs in forked children of a multithreaded netlab:
// system calls and async-signal-safe functions only, no malloc, no locks.

// The supervisor's descriptors, once placed.
enum { SUP_STDIN = 3, SUP_STDOUT = 4, SUP_STDERR = 5, SUP_CONTROL = 6, SUP_REPORT = 7, SUP_FIRST_FREE = 8 };

static void write_report(int kind, int value, int detail) {
    cnetlab_report record = {kind, value, detail};
    while (write(SUP_REPORT, &record, sizeof record) < 0 && errno == EINTR) {}
}

// Moves netlab's five descriptors to 3-7, /dev/null to 0-2, and closes every other descriptor: the
// supervisor must not hold another child's lifeline or pipes, nor netlab's terminal.
static int place_descriptors(const cnetlab_spawn_config *config) {
    int wanted[5] = {config->stdin_fd, config->stdout_fd, config->stderr_fd, config->control_fd, config->report_fd};
    int moved[5];
    for (int i = 0; i < 5; i++) {
        moved[i] = fcntl(wanted[i], F_DUPFD_CLOEXEC, 64);
        if (moved[i] < 0) return -1;
    }
    for (int i = 0; i < 5; i++) {
        if (dup2(moved[i], SUP_STDIN + i) < 0) return -1;
    }
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
    }
    syscall(SYS_close_range, (unsigned)SUP_FIRST_FREE, ~0U, 0U);
    return 0;
}

// A decimal number from `text`, advancing it.
static long parse_number(const char **text) {
    long value = 0;
    while (**text >= '0' && **text <= '9') value = value * 10 + (*(*text)++ - '0');
    return value;
}

// The processes /proc lists, with their parents, from the last scan.
#define CNETLAB_MAX_SCAN 65536
static int scan_pid[CNETLAB_MAX_SCAN];
static int scan_parent[CNETLAB_MAX_SCAN];
static unsigned char scan_mark[CNETLAB_MAX_SCAN];

// Kills (SIGKILL) every live descendant of this process that /proc lists; returns how many.
static int kill_descendants(int proc) {
    int count = 0;
    char buffer[4096];
    lseek(proc, 0, SEEK_SET);
    for (;;) {
        long length = syscall(SYS_getdents64, proc, buffer, sizeof buffer);
        if (length <= 0) break;
        for (long offset = 0; offset < length;) {
            struct dirent64 *entry = (struct dirent64 *)(buffer + offset);
            offset += entry->d_reclen;
            const char *name = entry->d_name;
            if (name[0] < '1' || name[0] > '9' || count >= CNETLAB_MAX_SCAN) continue;
            char path[64];
            int used = 0;
            for (const char *c = name; *c && used < 40; c++) path[used++] = *c;
            memcpy(path + used, "/stat", 6);
            int fd = openat(proc, path, O_RDONLY | O_CLOEXEC);
            if (fd < 0) continue;
            char stat[512];
            long got = read(fd, stat, sizeof stat - 1);
            close(fd);
            if (got <= 0) continue;
            stat[got] = 0;
            // "pid (comm) S ppid ...": the name may hold spaces and parentheses, so read after the last ')'.
            const char *close_paren = NULL;
            for (const char *c = stat; *c; c++)
                if (*c == ')') close_paren = c;
            if (!close_paren || close_paren[1] != ' ' || close_paren[2] == 0) continue;
            if (close_paren[2] == 'Z') continue;  // already dead, only not yet reaped
            const char *cursor = close_paren + 4;
            const char *digits = name;
            scan_pid[count] = (int)parse_number(&digits);
            scan_parent[count] = (int)parse_number(&cursor);
            scan_mark[count] = 0;
            count++;
        }
    }
    // Marks the descendants: children of this process, then their children, until nothing changes.
    int self = getpid();
    int marked = 0;
    for (int changed = 1; changed;) {
        changed = 0;
        for (int i = 0; i < count; i++) {
            if (scan_mark[i]) continue;
            int is_descendant = scan_parent[i] == self;
            for (int j = 0; !is_descendant && j < count; j++)
                is_descendant = scan_mark[j] && scan_pid[j] == scan_parent[i];
            if (is_descendant) {
                scan_mark[i] = 1;
                marked++;
                changed = 1;
            }
        }
    }
    for (int i = 0; i < count; i++)
        if (scan_mark[i]) kill(scan_pid[i], SIGKILL);
    return marked;
}

// Reaps every child that has ended, reporting the program's end; returns whether children remain.
static int reap_children(int program, int *program_reaped) {
    for (;;) {
        int status = 0;
        int pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            if (pid == program && !*program_reaped) {
                *program_reaped = 1;
                write_report(CNETLAB_REPORT_EXITED, status, 0);
            }
            continue;
        }
        if (pid < 0 && errno == EINTR) continue;
        return pid == 0;  // 0: children still running; -1 (ECHILD): none left
    }
}

// Ends the program and every process it started, however detached, then exits.
static void sweep_and_exit(int program, int program_reaped) {
    // Its group at once; once reaped its PID may be another's, and the scan below finds the rest.
    if (program > 0 && !program_reaped) kill(-program, SIGKILL);
    int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int killed = 0;
    long deadline = monotonic_ms() + 5000;
    for (;;) {
        // Killing a process hands its children to this subreaper, so each round finds what the last
        // left behind; a process forked meanwhile is found by the next.
        int found = proc >= 0 ? kill_descendants(proc) : 0;
        killed += found;
        int remain = reap_children(program, &program_reaped);
        if (found == 0 && !remain) break;
        if (monotonic_ms() > deadline) break;
        pause_ms(1);
    }
    write_report(CNETLAB_REPORT_SWEPT, killed, 0);
    _exit(0);
}

// In the program's process: its session, mounts, limits and user, then exec. Reports a failure on
// `failure_fd` (close-on-exec: it closes by itself when exec succeeds).
static void run_program(const cnetlab_spawn_config *config, int failure_fd) {
#define FAIL(step)                                      \
    do {                                                \
        int32_t failure[2] = {errno, (step)};           \
        ssize_t ignored = write(failure_fd, failure, 8); \
        (void)ignored;                                  \
        _exit(127);                                     \
    } while (0)
    sigset_t none;
    sigemptyset(&none);
    struct sigaction fallback;
    memset(&fallback, 0, sizeof fallback);
    fallback.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &fallback, NULL);
    sigprocmask(SIG_SETMASK, &none, NULL);
    // A session of its own: no controlling terminal, so it cannot open /dev/tty and draw on the
    // grader's screen; its PID is its process group's, which netlab signals.
    if (setsid() < 0) FAIL(CNETLAB_STEP_SESSION);
    if (config->hidden && config->hidden[0]) {
        if (unshare(CLONE_NEWNS) < 0) FAIL(CNETLAB_STEP_MOUNTS);
        // Private, so the mounts below never reach netlab's namespace.
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) FAIL(CNETLAB_STEP_MOUNTS);
        for (const char *const *folder = config->hidden; *folder; folder++) {
            if (mount("netlab", *folder, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555") < 0
                && errno != ENOENT)
                FAIL(CNETLAB_STEP_MOUNTS);
        }
    }
    for (int i = 0; i < config->limit_count; i++) {
        struct rlimit limit = {config->limits[i].soft, config->limits[i].hard};
        if (setrlimit(config->limits[i].resource, &limit) < 0) FAIL(CNETLAB_STEP_LIMITS);
    }
    if (config->uid >= 0) {
        // Raw system calls: glibc's wrappers would try to change every thread of netlab.
        if (syscall(SYS_setgroups, 0, NULL) < 0) FAIL(CNETLAB_STEP_USER);
        if (syscall(SYS_setresgid, config->gid, config->gid, config->gid) < 0) FAIL(CNETLAB_STEP_USER);
        if (syscall(SYS_setresuid, config->uid, config->uid, config->uid) < 0) FAIL(CNETLAB_STEP_USER);
    }
    // A lower priority (nice 10): a program that burns CPU, a fork bomb's spinning children say, cannot
    // starve the grader that must time it out, nor the checks' clients. Best effort: never a failure.
    setpriority(PRIO_PROCESS, 0, 10);
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);  // no set-user-ID program gives it root back
    if (chdir(config->folder) < 0) FAIL(CNETLAB_STEP_FOLDER);
    if (dup2(SUP_STDIN, 0) < 0 || dup2(SUP_STDOUT, 1) < 0 || dup2(SUP_STDERR, 2) < 0) FAIL(CNETLAB_STEP_EXEC);
    if (dup3(failure_fd, 3, O_CLOEXEC) < 0) FAIL(CNETLAB_STEP_EXEC);
    failure_fd = 3;
    syscall(SYS_close_range, 4U, ~0U, 0U);
    execve(config->path, config->argv, config->envp);
    int first = errno;
    // The path netlab found may be one its user cannot reach (a folder under /root): look further on PATH.
    if (config->name && config->search_path && (first == EACCES || first == ENOENT)) {
        char candidate[4096];
        const char *start = config->search_path;
        size_t name_length = strlen(config->name);
        for (;;) {
            const char *end = start;
            while (*end && *end != ':') end++;
            size_t length = (size_t)(end - start);
            if (length == 0) {
                candidate[0] = '.';
                length = 1;
            } else if (length < sizeof candidate) {
                memcpy(candidate, start, length);
            }
            if (length + 1 + name_length < sizeof candidate) {
                candidate[length] = '/';
                memcpy(candidate + length + 1, config->name, name_length + 1);
                execve(candidate, config->argv, config->envp);
            }
            if (*end == 0) break;
            start = end + 1;
        }
    }
    errno = first;
    FAIL(CNETLAB_STEP_EXEC);
#undef FAIL
}

static void supervise(const cnetlab_spawn_config *config) {
    // Out of netlab's session: Ctrl-C at the terminal reaches netlab, which then ends its supervisors.
    setsid();
    struct sigaction fallback;
    memset(&fallback, 0, sizeof fallback);
    fallback.sa_handler = SIG_DFL;
    for (int signal_number = 1; signal_number < NSIG; signal_number++) {
        if (signal_number != SIGKILL && signal_number != SIGSTOP) sigaction(signal_number, &fallback, NULL);
    }
    fallback.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &fallback, NULL);  // a report after netlab has gone is only lost
    sigset_t watched;
    sigemptyset(&watched);
    sigaddset(&watched, SIGCHLD);
    sigaddset(&watched, SIGTERM);
    sigaddset(&watched, SIGINT);
    sigaddset(&watched, SIGHUP);
    sigprocmask(SIG_SETMASK, &watched, NULL);
    if (place_descriptors(config) < 0) _exit(1);
    int signals = signalfd(-1, &watched, SFD_CLOEXEC | SFD_NONBLOCK);
    // Orphans of the program's tree come to this process, not to init: none can get away.
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0 || signals < 0) {
        write_report(CNETLAB_REPORT_FAILED, errno, CNETLAB_STEP_FORK);
        _exit(0);
    }
    int failure[2];
    if (pipe2(failure, O_CLOEXEC) < 0) {
        write_report(CNETLAB_REPORT_FAILED, errno, CNETLAB_STEP_FORK);
        _exit(0);
    }
    int program = _Fork();
    if (program < 0) {
        write_report(CNETLAB_REPORT_FAILED, errno, CNETLAB_STEP_FORK);
        _exit(0);
    }
    if (program == 0) {
        close(failure[0]);
        close(signals);
        run_program(config, failure[1]);
    }
    close(failure[1]);
    close(SUP_STDIN);
    close(SUP_STDOUT);
    close(SUP_STDERR);
    int program_reaped = 0;

    // Its exec closes the failure pipe; a failure writes errno and the step first. Netlab letting go
    // meanwhile, or 10 s without either, ends it.
    struct pollfd started[2] = {{failure[0], POLLIN, 0}, {SUP_CONTROL, POLLIN, 0}};
    int ready;
    do { ready = poll(started, 2, 10000); } while (ready < 0 && errno == EINTR);
    int32_t reason[2] = {ETIMEDOUT, CNETLAB_STEP_TIMEOUT};
    long got = ready > 0 && started[0].revents ? read(failure[0], reason, sizeof reason) : (long)sizeof reason;
    close(failure[0]);
    if (got == (long)sizeof reason) {
        write_report(CNETLAB_REPORT_FAILED, reason[0], reason[1]);
        sweep_and_exit(program, program_reaped);
    }
    write_report(CNETLAB_REPORT_STARTED, program, 0);

    for (;;) {
        struct pollfd events[2] = {{SUP_CONTROL, POLLIN, 0}, {signals, POLLIN, 0}};
        if (poll(events, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        int stop = events[0].revents != 0;  // a byte, or the end of the lifeline
        if (events[1].revents) {
            struct signalfd_siginfo info;
            while (read(signals, &info, sizeof info) == (long)sizeof info) {
                if (info.ssi_signo != SIGCHLD) stop = 1;
            }
            reap_children(program, &program_reaped);
        }
        if (stop) break;
    }
    sweep_and_exit(program, program_reaped);
}

int cnetlab_spawn_supervised(const cnetlab_spawn_config *config) {
    // _Fork: no atfork handlers run, as befits a child of a multithreaded process.
    int supervisor = _Fork();
    if (supervisor < 0) return -errno;
    if (supervisor == 0) {
        supervise(config);
        _exit(0);
    }
    return supervisor;
}

int cnetlab_pidfd_open(int pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int cnetlab_probe_mount_namespace(void) {
    int child = _Fork();
    if (child < 0) return errno;
    if (child == 0) {
        if (unshare(CLONE_NEWNS) < 0) _exit(errno & 0xff);
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) _exit(errno & 0xff);
        if (mount("netlab", "/tmp", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k") < 0)
            _exit(errno & 0xff);
        _exit(0);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) return errno;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : EPERM;
}

int cnetlab_kill_user(int uid) {
    if (uid <= 0 || (uid_t)uid == getuid() || (uid_t)uid == geteuid()) return EINVAL;
    int child = _Fork();
    if (child < 0) return errno;
    if (child == 0) {
        if (syscall(SYS_setresuid, uid, uid, uid) < 0) _exit(errno & 0xff);
        // Every process of that user, atomically against its forks; never this one.
        kill(-1, SIGKILL);
        _exit(0);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) return errno;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : EPERM;
}

// Temporary folders to remove on an interrupt. A slot is 0 (free), 1 (being filled) or 2 (ready):
// the handler reads only ready slots, so it never sees a half-written path.
#define CNETLAB_MAX_FOLDERS 64
static volatile sig_atomic_t folder_state[CNETLAB_MAX_FOLDERS];
static char tracked_folders[CNETLAB_MAX_FOLDERS][PATH_MAX];

void cnetlab_track_folder(const char *path) {
    if (strlen(path) >= PATH_MAX) return;
    for (int i = 0; i < CNETLAB_MAX_FOLDERS; i++) {
        if (__sync_bool_compare_and_swap(&folder_state[i], 0, 1)) {
            strcpy(tracked_folders[i], path);
            __sync_synchronize();
            folder_state[i] = 2;
            return;
        }
    }
}

void cnetlab_untrack_folder(const char *path) {
    for (int i = 0; i < CNETLAB_MAX_FOLDERS; i++) {
        if (folder_state[i] == 2 && strcmp(tracked_folders[i], path) == 0
            && __sync_bool_compare_and_swap(&folder_state[i], 2, 1)) {
            tracked_folders[i][0] = 0;
            __sync_synchronize();
            folder_state[i] = 0;
            return;
        }
    }
}

// Removes everything inside the open folder `fd`, then closes it. Only system calls, no malloc:
// it runs inside a signal handler. `depth` bounds the recursion a program's own folders could cause.
static void remove_contents(int fd, int depth) {
    char buffer[4096];
    for (;;) {
        long count = syscall(SYS_getdents64, fd, buffer, sizeof buffer);
        if (count <= 0) break;
        for (long offset = 0; offset < count;) {
            struct dirent64 *entry = (struct dirent64 *)(buffer + offset);
            offset += entry->d_reclen;
            const char *name = entry->d_name;
            if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
            if (unlinkat(fd, name, 0) == 0) continue;
            if (depth > 0) {
                int child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (child >= 0) remove_contents(child, depth - 1);
            }
            unlinkat(fd, name, AT_REMOVEDIR);
        }
    }
    close(fd);
}

void cnetlab_remove_tracked_folders(void) {
    for (int i = 0; i < CNETLAB_MAX_FOLDERS; i++) {
        if (folder_state[i] != 2) continue;
        int fd = open(tracked_folders[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) remove_contents(fd, 16);
        // A tracked path may be a file, such as a Unix socket's, rather than a folder.
        if (rmdir(tracked_folders[i]) != 0 && errno == ENOTDIR) unlink(tracked_folders[i]);
    }
}

// Ends every program (each supervisor sweeps its program's descendants) before the folders go.
static void cnetlab_on_interrupt(int signal_number) {
    cnetlab_kill_tracked_children();
    cnetlab_remove_tracked_folders();
    _exit(128 + signal_number);
}

// A server that stops gracefully: the first SIGINT or SIGTERM is written, as one byte, to a pipe its
// Swift side reads; a second one (or SIGHUP) is an interrupt as above.
static volatile sig_atomic_t stop_pipe = -1;
static volatile sig_atomic_t stop_requests = 0;

static void cnetlab_on_stop_request(int signal_number) {
    if (stop_pipe >= 0 && stop_requests++ == 0) {
        unsigned char byte = (unsigned char)signal_number;
        ssize_t written = write(stop_pipe, &byte, 1);
        (void)written;
        return;
    }
    cnetlab_on_interrupt(signal_number);
}

void cnetlab_install_stop_handler(int write_end) {
    stop_pipe = write_end;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    action.sa_handler = cnetlab_on_stop_request;
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    action.sa_handler = cnetlab_on_interrupt;
    sigaction(SIGHUP, &action, NULL);
    sigset_t stops;
    sigemptyset(&stops);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGHUP);
    pthread_sigmask(SIG_UNBLOCK, &stops, NULL);
}

void cnetlab_install_interrupt_handler(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = cnetlab_on_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGHUP, &action, NULL);
    // A parent may have started netlab with these signals blocked; a blocked signal never arrives.
    sigset_t interrupts;
    sigemptyset(&interrupts);
    sigaddset(&interrupts, SIGINT);
    sigaddset(&interrupts, SIGTERM);
    sigaddset(&interrupts, SIGHUP);
    pthread_sigmask(SIG_UNBLOCK, &interrupts, NULL);
}
