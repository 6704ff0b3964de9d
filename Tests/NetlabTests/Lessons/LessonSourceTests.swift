import Foundation
import Testing

/// The lessons quote netlab's source and name its files: both must stay true as the code moves.
@Suite("Lessons agree with the source", .machineShare)
struct LessonSourceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    static func lessonPaths() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("lessons").path)
            .filter { $0.hasSuffix(".md") }.sorted().map { "lessons/" + $0 }
    }

    static func sourcePaths() -> [String] {
        let sources = root.appendingPathComponent("Sources")
        return FileManager.default.enumerator(atPath: sources.path)!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }.map { "Sources/" + $0 }
    }

    /// A line as the comparison sees it: indentation, a trailing `// comment` and an access level
    /// (lessons leave `package` out) do not count.
    static func normalized(_ line: some StringProtocol) -> String {
        var text = line.trimmingCharacters(in: .whitespaces)
        if !text.hasPrefix("//"), let comment = text.range(of: " //") { text = String(text[..<comment.lowerBound]) }
        for level in ["public ", "package ", "internal ", "private ", "fileprivate "] where text.hasPrefix(level) {
            text.removeFirst(level.count)
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    @Test("every source path the lessons, README and SECURITY.md name exists")
    func citedPathsExist() throws {
        let documents = try Self.lessonPaths() + ["README.md", "SECURITY.md", "exercises/README.md"]
        var missing: [String] = []
        var cited = 0
        for document in documents {
            for match in try Self.text(document).matches(of: /(Sources|Tests)\/[A-Za-z0-9_\/+.-]*[A-Za-z0-9_\/]/) {
                cited += 1
                let path = String(match.output.0)
                if !FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(path).path) {
                    missing.append("\(document): \(path)")
                }
            }
        }
        #expect(cited > 40, "the scan found only \(cited) paths")
        #expect(missing.isEmpty, "\(missing.joined(separator: "\n"))")
    }

    @Test("every Swift block a lesson quotes appears in one source file, line by line")
    func quotedCodeMatches() throws {
        let sources = try Self.sourcePaths().map { try Self.text($0).split(separator: "\n").map(Self.normalized) }
        var blocks = 0
        var stale: [String] = []
        for lesson in try Self.lessonPaths() {
            for match in try Self.text(lesson).matches(of: /```swift\n((?:.|\n)*?)```/) {
                blocks += 1
                // `...` stands for lines left out.
                let lines = match.output.1.split(separator: "\n").map(Self.normalized)
                    .filter { !$0.isEmpty && !$0.hasPrefix("...") }
                let found = sources.contains { source in
                    var next = 0
                    for line in source where next < lines.count && line == lines[next] { next += 1 }
                    return next == lines.count
                }
                if !found { stale.append("\(lesson): \(lines.first ?? "")") }
            }
        }
        #expect(blocks > 10, "the scan found only \(blocks) Swift blocks")
        #expect(stale.isEmpty, "quoted code no longer in the source:\n\(stale.joined(separator: "\n"))")
    }

    @Test("every lesson has the same shape: '# N. Title', numbered sections, and 'Things to try' last")
    func lessonsShareOneFormat() throws {
        for (index, lesson) in try Self.lessonPaths().enumerated() {
            var inCode = false
            var headings: [String] = []
            let lines = try Self.text(lesson).split(separator: "\n", omittingEmptySubsequences: false)
            for line in lines {
                if line.hasPrefix("```") { inCode.toggle() }
                if !inCode, line.hasPrefix("## ") { headings.append(String(line)) }
            }
            #expect(lines.first?.hasPrefix("# \(index + 1). ") == true, "\(lesson): title \(lines.first ?? "")")
            #expect(headings.last == "## Things to try", "\(lesson): its last section is \(headings.last ?? "none")")
            for (number, heading) in headings.dropLast().enumerated() {
                #expect(heading.hasPrefix("## \(number + 1). "), "\(lesson): section \(number + 1) is '\(heading)'")
            }
        }
    }
}
