import Foundation
import NetlabSockets
import NetlabTopics

/// The exercises in `exercises/`: one folder each, with README.md, checks.json and starter.py.
public struct ExerciseLibrary: Sendable {
    public let folder: URL

    public init(folder: URL) { self.folder = folder }

    /// The library in netlab's own `exercises/` folder.
    public static func located() throws -> ExerciseLibrary {
        guard let folder = ProjectFolder.locate("exercises") else {
            throw RuntimeError(
                "cannot find the exercises/ folder — install netlab with scripts/install.sh, run it from its checkout, or set NETLAB_HOME to the checkout's path"
            )
        }
        return ExerciseLibrary(folder: folder)
    }

    /// The ids of every exercise, sorted.
    public func ids() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { name in
            FileManager.default.fileExists(
                atPath: folder.appendingPathComponent(name).appendingPathComponent("checks.json").path)
        }.sorted()
    }

    /// Reads one exercise's checks.json.
    public func exercise(_ id: String) throws -> Exercise {
        let all = try ids()
        guard all.contains(id) else {
            // Only a near miss is worth suggesting: "nope" is not a typo of any id.
            let closest =
                Suggestion.closest(to: id, in: all)
                .flatMap { $0.hasPrefix(id) || Suggestion.editDistance(id, $0) <= max(2, id.count / 3) ? $0 : nil }
                .map { " — did you mean '\($0)'?" } ?? "."
            throw RuntimeError("there is no exercise '\(id)'\(closest) See 'netlab exercises' for the list")
        }
        let file = folder.appendingPathComponent(id).appendingPathComponent("checks.json")
        let data = try Data(contentsOf: file)
        do {
            var exercise = try JSONDecoder().decode(Exercise.self, from: data)
            exercise.id = id
            return exercise
        } catch let error as DecodingError {
            throw RuntimeError(
                "exercises/\(id)/checks.json is not a valid exercise (\(Self.explain(error, in: data))) — see exercises/README.md"
            )
        }
    }

    /// Every exercise that reads, and one sentence for each folder whose checks.json does not:
    /// one broken exercise should not hide the others.
    public func all() throws -> (exercises: [Exercise], problems: [(id: String, problem: String)]) {
        var exercises: [Exercise] = []
        var problems: [(id: String, problem: String)] = []
        for id in try ids() {
            do {
                exercises.append(try exercise(id))
            } catch {
                problems.append((id, ErrorSentence.describing(error)))
            }
        }
        return (exercises, problems)
    }

    /// The task as the student reads it: the exercise's README.md.
    public func readme(_ id: String) throws -> String {
        _ = try exercise(id)
        return try String(
            contentsOf: folder.appendingPathComponent(id).appendingPathComponent("README.md"), encoding: .utf8)
    }

    private static func explain(_ error: DecodingError, in data: Data) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " at \(path(context))")
        case .typeMismatch(let type, let context) where !context.codingPath.isEmpty:
            let expected =
                type == String.self
                ? "text in quotes" : type == Int.self || type == Double.self ? "a number" : "\(type)"
            return "\(path(context)) must be \(expected)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            if context.codingPath.isEmpty { return syntaxError(in: data) ?? context.debugDescription }
            return "\(context.debugDescription) at \(path(context))"
        @unknown default: return "\(error)"
        }
    }

    /// Where JSON text stops being JSON, as the parser says it, with its "character N" made a line and column.
    private static func syntaxError(in data: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: data)
            return nil
        } catch {
            guard var message = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String else { return nil }
            if let match = message.firstMatch(of: /around character (\d+)/), let offset = Int(match.output.1) {
                let before = data.prefix(offset)
                let line = before.filter { $0 == UInt8(ascii: "\n") }.count + 1
                let column = offset - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
                message.replaceSubrange(match.range, with: "at line \(line), column \(column)")
            }
            return "not valid JSON: " + message.trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
    }
}
