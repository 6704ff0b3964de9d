/// How one check went.
public struct CheckResult: Sendable, Codable {
    public let name: String
    public let points: Int
    public let maxPoints: Int
    public let passed: Bool
    /// What went wrong, in a sentence or two; empty when it passed.
    public let message: String
    public let hint: String
    /// Whether the check was not run at all (the program never listened, the grade's time ran out):
    /// `message` says why. A check not run has not passed.
    public let skipped: Bool
    /// How long the check took, in seconds.
    public let seconds: Double
    /// Who sees the check on Gradescope (`visible`, `hidden`, `after_due_date`, `after_published`), as its
    /// checks.json says; nil: Gradescope's default.
    public let visibility: String?

    public init(
        name: String, points: Int, maxPoints: Int, passed: Bool, message: String, hint: String,
        skipped: Bool = false, seconds: Double = 0, visibility: String? = nil
    ) {
        self.name = name
        self.points = points
        self.maxPoints = maxPoints
        self.passed = passed
        self.message = message
        self.hint = hint
        self.skipped = skipped
        self.seconds = seconds
        self.visibility = visibility
    }

    /// The same result, timed.
    func taking(_ seconds: Double) -> CheckResult {
        CheckResult(
            name: name, points: points, maxPoints: maxPoints, passed: passed, message: message, hint: hint,
            skipped: skipped, seconds: seconds, visibility: visibility)
    }

    enum CodingKeys: String, CodingKey {
        case name, points, passed, message, hint, skipped, seconds, visibility
        case maxPoints = "max_points"
    }
}

/// How one program did on one exercise.
public struct GradeReport: Sendable, Codable {
    public let exercise: String
    public let title: String
    public let command: String
    public let results: [CheckResult]
    /// The program's last lines of output, for the student.
    public let programOutput: [String]
    /// What grading the program cost; nil when it was not run.
    public var usage: Usage?

    /// The wall time of a program's whole grade, and the CPU time and peak memory of everything it ran.
    public struct Usage: Sendable, Codable, Equatable {
        public var wallSeconds: Double
        public var cpuSeconds: Double
        /// The largest resident memory one of its processes reached.
        public var peakMemoryBytes: Int

        enum CodingKeys: String, CodingKey {
            case wallSeconds = "wall_seconds"
            case cpuSeconds = "cpu_seconds"
            case peakMemoryBytes = "peak_memory_bytes"
        }
    }

    public init(
        exercise: String, title: String, command: String, results: [CheckResult], programOutput: [String],
        usage: Usage? = nil
    ) {
        self.exercise = exercise
        self.title = title
        self.command = command
        self.results = results
        self.programOutput = programOutput
        self.usage = usage
    }

    public var score: Int { results.reduce(0) { $0 + $1.points } }
    public var maxScore: Int { results.reduce(0) { $0 + $1.maxPoints } }
    public var isPassing: Bool { results.allSatisfy(\.passed) }

    enum CodingKeys: String, CodingKey {
        case exercise, title, command, results, score, usage
        case maxScore = "max_score"
        case programOutput = "program_output"
        case isPassing = "passed"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        exercise = try container.decode(String.self, forKey: .exercise)
        title = try container.decode(String.self, forKey: .title)
        command = try container.decode(String.self, forKey: .command)
        results = try container.decode([CheckResult].self, forKey: .results)
        programOutput = try container.decode([String].self, forKey: .programOutput)
        usage = try container.decodeIfPresent(Usage.self, forKey: .usage)
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
        try container.encodeIfPresent(usage, forKey: .usage)
    }
}

/// Why a check failed: one or two sentences for the student.
struct CheckFailure: Error {
    let message: String
    /// What the check was waiting for when the program closed a connection but had not ended yet: should
    /// it end by the check's end, the failure says it crashed then, as when its end is seen at once.
    let ifProgramEnds: String?
    init(_ message: String, ifProgramEnds: String? = nil) {
        self.message = message
        self.ifProgramEnds = ifProgramEnds
    }
}
