import Foundation

/// The exercises in `exercises/`: one folder each, with README.md, checks.json and starter.py.
public struct ExerciseLibrary: Sendable {
    public let folder: URL

    public init(folder: URL) { self.folder = folder }

    /// The library in netlab's own `exercises/` folder.
    public static func located() throws -> ExerciseLibrary {
        guard let folder = ProjectFolder.locate("exercises") else {
            throw RuntimeError(
                "cannot find the exercises/ folder — run netlab from its checkout, or set NETLAB_HOME to the checkout's path"
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
            let closest = Suggestion.closest(to: id, in: all).map { " — did you mean '\($0)'?" } ?? ""
            throw RuntimeError("there is no exercise '\(id)'\(closest) See 'netlab exercises' for the list")
        }
        let file = folder.appendingPathComponent(id).appendingPathComponent("checks.json")
        do {
            var exercise = try JSONDecoder().decode(Exercise.self, from: try Data(contentsOf: file))
            exercise.id = id
            return exercise
        } catch let error as DecodingError {
            throw RuntimeError(
                "exercises/\(id)/checks.json is not a valid exercise (\(Self.explain(error))) — see exercises/README.md"
            )
        }
    }

    /// The task as the student reads it: the exercise's README.md.
    public func readme(_ id: String) throws -> String {
        _ = try exercise(id)
        return try String(
            contentsOf: folder.appendingPathComponent(id).appendingPathComponent("README.md"), encoding: .utf8)
    }

    private static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription) at \(path(context))"
        @unknown default: return "\(error)"
        }
    }
}
