import Dispatch
import Glibc
import Synchronization

/// Ends every program under test when the grader is interrupted (Ctrl-C) or told to stop, then exits.
enum InterruptHandler {
    private static let sources = Mutex<[any DispatchSourceSignal]>([])

    /// Installs the handler once; later calls do nothing.
    static func install() {
        sources.withLock { sources in
            guard sources.isEmpty else { return }
            for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
                signal(signalNumber, SIG_IGN)  // the dispatch source, not the default action, handles it
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler {
                    ChildProcess.stopAll()
                    exit(128 + signalNumber)
                }
                source.resume()
                sources.append(source)
            }
        }
    }
}
