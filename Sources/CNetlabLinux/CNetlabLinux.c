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
#include <limits.h>
#include <errno.h>

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

int cnetlab_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

int cnetlab_spawn_add_closefrom(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

#define CNETLAB_MAX_CHILDREN 256
static volatile sig_atomic_t tracked_children[CNETLAB_MAX_CHILDREN];

void cnetlab_track_child(int pid) {
    for (int i = 0; i < CNETLAB_MAX_CHILDREN; i++) {
        if (__sync_bool_compare_and_swap(&tracked_children[i], 0, pid)) return;
    }
}

void cnetlab_untrack_child(int pid) {
    for (int i = 0; i < CNETLAB_MAX_CHILDREN; i++) {
        if (__sync_bool_compare_and_swap(&tracked_children[i], pid, 0)) return;
    }
}

void cnetlab_kill_tracked_children(void) {
    for (int i = 0; i < CNETLAB_MAX_CHILDREN; i++) {
        int pid = tracked_children[i];
        if (pid > 0) kill(-pid, SIGKILL);
    }
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

static void cnetlab_on_interrupt(int signal_number) {
    cnetlab_kill_tracked_children();
    cnetlab_remove_tracked_folders();
    _exit(128 + signal_number);
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
