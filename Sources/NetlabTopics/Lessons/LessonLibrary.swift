import Foundation
import NetlabSockets

/// The lessons in `lessons/`: Markdown files named `NN-topic.md`.
public struct LessonLibrary: Sendable {
    /// One lesson: its number, file and title (the first `# ` heading).
    public struct Lesson: Sendable {
        public let number: Int
        public let file: URL
        public let title: String
    }

    public let folder: URL

    public init(folder: URL) { self.folder = folder }

    /// The library in netlab's own `lessons/` folder.
    public static func located() throws -> LessonLibrary {
        guard let folder = ProjectFolder.locate("lessons") else {
            throw RuntimeError(
                "cannot find the lessons/ folder — install netlab with scripts/install.sh, run it from its checkout, or set NETLAB_HOME to the checkout's path"
            )
        }
        return LessonLibrary(folder: folder)
    }

    /// Every lesson, in order.
    public func lessons() throws -> [Lesson] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        return names.sorted().compactMap { name -> Lesson? in
            guard name.hasSuffix(".md"), let number = Int(name.prefix { $0.isNumber }) else { return nil }
            let file = folder.appendingPathComponent(name)
            let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            let heading = text.split(separator: "\n").first { $0.hasPrefix("# ") }
            // "# 3. TCP sockets" is listed as "3  TCP sockets": the number is already in front.
            let title = heading.map { String($0.dropFirst(2)).replacing(/^\d+\.\s*/, with: "") } ?? name
            return Lesson(number: number, file: file, title: title)
        }
    }

    /// The text of lesson `number`.
    public func text(of number: Int) throws -> String {
        let all = try lessons()
        guard let lesson = all.first(where: { $0.number == number }) else {
            let numbers = all.map { String($0.number) }.joined(separator: ", ")
            throw RuntimeError("there is no lesson \(number) — the lessons are \(numbers); see 'netlab lessons'")
        }
        return try String(contentsOf: lesson.file, encoding: .utf8)
    }
}
