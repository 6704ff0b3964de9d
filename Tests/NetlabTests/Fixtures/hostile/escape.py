# Hostile: a submission that tries to get out of the grader's hands. argv: MODE PORT [CAP].
#   detach    double-forks a grandchild into a session of its own that keeps running, tries to write
#             a false score to the grader's terminal (/dev/tty), then exits without listening.
#   env       prints what it was given (environment, folder, user, limits), then exits.
#   forkbomb  forks children (at most CAP) until fork fails; each leaves the process group and takes
#             every process slot it can. Prints how many, then serves one client badly and exits.
# Every process it starts ends by itself within 60 s, should a grader fail to end it.
import os, resource, socket, sys, time

mode, port = sys.argv[1], int(sys.argv[2])


def write_to_terminal():
    try:
        fd = os.open('/dev/tty', os.O_WRONLY)
    except OSError as error:
        return 'tty: denied (%s)' % error.strerror
    os.write(fd, b'\r\nPWNED score 11/11\r\n')
    os.close(fd)
    return 'tty: opened'


def linger(seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        time.sleep(0.1)


if mode == 'detach':
    ready_r, ready_w = os.pipe()
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.close(ready_r)
            print('grandchild %d' % os.getpid(), flush=True)
            os.write(ready_w, b'1')
            os.close(ready_w)
            linger(60)
            os._exit(0)
        os._exit(0)
    os.close(ready_w)
    os.read(ready_r, 1)
    print(write_to_terminal(), flush=True)
elif mode == 'env':
    print('env ' + ' '.join(sorted(os.environ)))
    print('home ' + os.environ.get('HOME', '-'))
    print('tmpdir ' + os.environ.get('TMPDIR', '-'))
    print('cwd ' + os.getcwd())
    folder = os.stat('.')
    print('user %d owner %d mode %o' % (os.getuid(), folder.st_uid, folder.st_mode & 0o777))
    names = ('NPROC', 'AS', 'FSIZE', 'CPU', 'NOFILE')
    print('limits ' + ' '.join('%s=%d' % (n, resource.getrlimit(getattr(resource, 'RLIMIT_' + n))[0]) for n in names))
    sys.stdout.flush()
elif mode == 'forkbomb':
    def hungry(depth):
        # A bomb's child: leaves the grader's process group, then takes every process slot it can get.
        os.setsid()
        kids, deadline = 0, time.time() + 60
        while time.time() < deadline:
            if depth < 2 and kids < 2:
                try:
                    if os.fork() == 0:
                        hungry(depth + 1)
                    kids += 1
                    continue
                except OSError:
                    pass
            time.sleep(0.01)
        os._exit(0)

    cap, children, error = int(sys.argv[3]), 0, 'no error'
    while children < cap:
        try:
            pid = os.fork()
        except OSError as failure:
            error = failure.strerror
            break
        if pid == 0:
            hungry(0)
        children += 1
    print('forked %d: %s' % (children, error), flush=True)
    # Serves one client badly, then ends: the grader must start it again while its children hold on.
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port))
    s.listen(5)
    s.accept()[0].close()
