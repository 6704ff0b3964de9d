import Foundation
import NetlabSockets
import NetlabTopics
import Synchronization

/// A batch's journal: one JSON line per submission, appended as each submission's grade ends, so an
/// interrupted batch keeps what it graded and `--resume` grades only the rest.
///
/// It lives next to the report (`--output results.csv` → `results.csv.journal`). Its first line names
/// the exercise and the command, so a journal is never resumed with another; a line cut short by an
/// interruption is ignored.
package final class BatchJournal: Sendable {
    let path: String
    private let file: Mutex<FileHandle?>
    /// Why a row could not be appended, if one could not: the report is still complete, the journal not.
    private let failure = Mutex<String?>(nil)

    /// The journal next to a report written to `output`.
    package static func path(nextTo output: String) -> String { output + ".journal" }

    /// The first line: what the journal grades.
    struct Header: Codable, Equatable {
        let netlabJournal: Int
        let exercise: String
        let command: String

        enum CodingKeys: String, CodingKey {
            case exercise, command
            case netlabJournal = "netlab_journal"
        }
    }

    /// One submission's row: its whole report (times, cost and all), so a resumed batch's report is whole.
    struct Entry: Codable {
        let student: String
        let report: GradeReport
        let graderError: String?

        enum CodingKeys: String, CodingKey {
            case student, report
            case graderError = "grader_error"
        }

        init(_ row: BatchGrader.Row) {
            student = row.student
            report = row.report
            graderError = row.graderError
        }

        func row(exercise: String) -> BatchGrader.Row {
            BatchGrader.Row(student: student, report: report, graderError: graderError)
        }
    }

    /// The rows a journal holds for `header`'s batch, the last per student; none when there is no journal.
    /// Throws when the journal is another batch's.
    static func rows(at path: String, for header: Header) throws -> [BatchGrader.Row] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let lines = data.split(separator: UInt8(ascii: "\n"))
        guard let first = lines.first else { return [] }
        let decoder = JSONDecoder()
        guard let found = try? decoder.decode(Header.self, from: Data(first)) else {
            throw RuntimeError(
                "\(path) is not a netlab journal — give --output the report of the batch to resume, or leave out --resume"
            )
        }
        guard found == header else {
            throw RuntimeError(
                "\(path) is the journal of grading \(found.exercise) with --cmd '\(found.command)' — resume with the same "
                    + "exercise and --cmd, or leave out --resume to grade every submission again")
        }
        var rows: [String: BatchGrader.Row] = [:]
        for line in lines.dropFirst() {
            // A line cut short when the batch was interrupted is not a row.
            guard let entry = try? decoder.decode(Entry.self, from: Data(line)) else { continue }
            rows[entry.student] = entry.row(exercise: header.exercise)
        }
        return rows.values.sorted { $0.student < $1.student }
    }

    /// Opens the journal at `path`: appending to it when resuming it, otherwise starting it afresh.
    init(path: String, header: Header, appending: Bool) throws {
        self.path = path
        let exists = FileManager.default.fileExists(atPath: path)
        if !appending || !exists {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let line = (try? encoder.encode(header)) ?? Data()
            guard FileManager.default.createFile(atPath: path, contents: line + Data("\n".utf8)) else {
                throw RuntimeError("cannot write the journal \(path) — check its folder exists and is writable")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw RuntimeError("cannot write the journal \(path) — check its folder exists and is writable")
        }
        file = Mutex(handle)
    }

    /// Appends one row as one line, written at once.
    func append(_ row: BatchGrader.Row) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let line = try? encoder.encode(Entry(row)) else { return }
        let problem: String? = file.withLock { handle in
            guard let handle else { return nil }
            do {
                try handle.seekToEnd()
                try handle.write(contentsOf: line + Data("\n".utf8))
                return nil
            } catch {
                return "cannot append to the journal \(path) (\(error.localizedDescription))"
            }
        }
        if let problem { failure.withLock { $0 = $0 ?? problem } }
    }

    /// Why a row could not be appended; nil when every row was.
    var problem: String? { failure.withLock { $0 } }

    /// Closes the file.
    func close() {
        file.withLock { handle in
            try? handle?.close()
            handle = nil
        }
    }
}
