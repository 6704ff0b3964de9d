import Foundation

/// netlab's entry point: argv in, exit status out. Only here do errors become exit statuses.
public enum CLI {
    public static let version = "0.1.0"

    /// Exit statuses, as in sysexits.h for usage errors.
    public enum ExitStatus {
        public static let success: Int32 = 0
        public static let failure: Int32 = 1
        public static let usage: Int32 = 64
    }

    /// Runs one command line (without the program name) and returns its exit status.
    public static func run(_ arguments: [String], console: Console = .standard) async -> Int32 {
        let parser = ArgumentParser(root: CommandTable.root)
        do {
            switch try parser.parse(arguments, console: console) {
            case .version:
                console.out("netlab \(version)")
                return ExitStatus.success
            case .help(let command, let path):
                console.out(Help.text(for: command, path: path))
                return ExitStatus.success
            case .run(let command, let invocation):
                guard let action = command.action else { return ExitStatus.usage }
                return try await action(invocation)
            }
        } catch let error as UsageError {
            console.err(error.description)
            return ExitStatus.usage
        } catch {
            console.err("netlab: \(describe(error))")
            return ExitStatus.failure
        }
    }

    /// One sentence for any error, never a stack trace.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as SocketError: error.description
        case let error as RuntimeError: error.description
        case let error as FrameError: error.description
        case let error as IPError: error.description
        case let error as UsageError: error.description
        default: error.localizedDescription
        }
    }
}
