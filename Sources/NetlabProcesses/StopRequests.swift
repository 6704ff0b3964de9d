import CNetlabLinux
import Foundation
import Glibc

/// Ctrl-C (SIGINT) and SIGTERM as a request to stop, for a server that stops gracefully.
///
/// The first one reaches `onRequest` (on a thread of its own, since a signal handler may do almost
/// nothing); a second one ends netlab at once, as an interrupt always has: the programs it started are
/// ended and its temporary files and socket files removed. SIGHUP always ends it at once.
public enum StopRequests {
    public static func deliver(to onRequest: @escaping @Sendable (_ signal: Int32) -> Void) {
        var ends: [Int32] = [-1, -1]
        guard cnetlab_pipe_cloexec(&ends) == 0 else { return }  // no pipe: signals keep their default action
        let readEnd = ends[0]
        cnetlab_install_stop_handler(ends[1])
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count == 1 { onRequest(Int32(byte)) } else if count == 0 || errno != EINTR { return }
            }
        }
    }
}
