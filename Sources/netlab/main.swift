import Dispatch
import Glibc
import NetlabCLI

// argv in, exit status out: everything else lives in the modules below (Package.swift draws them).
// The command runs on a task that ends the process itself while the main thread only waits: a top-level
// `await` would end in dispatch_main() and pthread_exit(), whose unwinding costs about 20 ms in a
// statically linked netlab (measured for `netlab ip info`, see the README's performance section).
// A parent may start netlab with Ctrl-C and SIGTERM blocked (a spawning thread's mask is inherited, and
// Dispatch's threads block them): unblocked here, before any thread starts, netlab stops when told to.
var terminationSignals = sigset_t()
sigemptyset(&terminationSignals)
for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&terminationSignals, signal) }
pthread_sigmask(SIG_UNBLOCK, &terminationSignals, nil)
let arguments = Array(CommandLine.arguments.dropFirst())
// Help, usage errors and the IP calculator never wait: they run here, before any other thread starts.
if let status = CLI.runSynchronously(arguments) { exit(status) }
Task.detached { exit(await CLI.run(arguments)) }
DispatchSemaphore(value: 0).wait()
