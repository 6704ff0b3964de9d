/// How one check went.
public struct CheckResult: Sendable, Encodable {
    public let name: String
    public let points: Int
    public let maxPoints: Int
    public let passed: Bool
    /// What went wrong, in a sentence or two; empty when it passed.
    public let message: String
    public let hint: String

    enum CodingKeys: String, CodingKey {
        case name, points, passed, message, hint
        case maxPoints = "max_points"
    }
}

/// How one program did on one exercise.
public struct GradeReport: Sendable, Encodable {
    public let exercise: String
    public let title: String
    public let command: String
    public let results: [CheckResult]
    /// The program's last lines of output, for the student.
    public let programOutput: [String]

    public var score: Int { results.reduce(0) { $0 + $1.points } }
    public var maxScore: Int { results.reduce(0) { $0 + $1.maxPoints } }
    public var isPassing: Bool { results.allSatisfy(\.passed) }

    enum CodingKeys: String, CodingKey {
        case exercise, title, command, results, score
        case maxScore = "max_score"
        case programOutput = "program_output"
        case isPassing = "passed"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(exercise, forKey: .exercise)
        try container.encode(title, forKey: .title)
        try container.encode(command, forKey: .command)
        try container.encode(score, forKey: .score)
        try container.encode(maxScore, forKey: .maxScore)
        try container.encode(isPassing, forKey: .isPassing)
        try container.encode(results, forKey: .results)
        try container.encode(programOutput, forKey: .programOutput)
    }
}

/// Why a check failed: one or two sentences for the student.
struct CheckFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
