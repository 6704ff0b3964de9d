import Foundation
import NetlabIP
import NetlabTopics

/// netlab's entry point: argv in, exit status out. Only here do errors become exit statuses.
public enum CLI {
    public static let version = "0.1.0"

    /// Exit statuses, as in sysexits.h for usage errors.
    public enum ExitStatus {
        public static let success: Int32 = 0
        public static let failure: Int32 = 1
        public static let usage: Int32 = 64
        /// A batch grade ended without grading every submission (`netlab grade --batch`).
        public static let incomplete: Int32 = 3
    }

    /// Runs one command line (without the program name) and returns its exit status.
    public static func run(_ arguments: [String], console: Console = .standard) async -> Int32 {
        do {
            switch try ArgumentParser(root: CommandTable.root).parse(arguments, console: console) {
            case .run(let command, let invocation):
                guard let action = command.action else { return ExitStatus.usage }
                return try await action(invocation)
            case let other:
                return answer(other, console: console)!
            }
        } catch {
            return report(error, to: console)
        }
    }

    /// Runs a command line right here if nothing in it waits (help, a usage error, the IP calculator);
    /// nil when the command needs `run`.
    public static func runSynchronously(_ arguments: [String], console: Console = .standard) -> Int32? {
        do {
            let parsed = try ArgumentParser(root: CommandTable.root).parse(arguments, console: console)
            if case .run(let command, let invocation) = parsed {
                guard let run = command.synchronousAction else { return nil }
                return try run(invocation)
            }
            return answer(parsed, console: console)
        } catch {
            return report(error, to: console)
        }
    }

    /// `--version` and `--help`; nil for a command to run.
    private static func answer(_ parsed: ArgumentParser.Outcome, console: Console) -> Int32? {
        switch parsed {
        case .version:
            console.out("netlab \(version)")
            return ExitStatus.success
        case .help(let command, let path):
            console.out(Help.text(for: command, path: path))
            return ExitStatus.success
        case .run:
            return nil
        }
    }

    /// Only here do errors become exit statuses: one line on stderr, never a stack trace.
    private static func report(_ error: any Error, to console: Console) -> Int32 {
        if let error = error as? UsageError {
            console.err(error.description)
            return ExitStatus.usage
        }
        console.err("netlab: \(describe(error))")
        return ExitStatus.failure
    }

    /// One sentence for any error, never a stack trace.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as UsageError: error.description
        case let error as IPError: error.description
        default: ErrorSentence.describing(error)
        }
    }
}
