/// The working behind an answer, step by step: what `--explain` adds to `class`, `info` and `split`.
public struct IPExplanation: Sendable {
    /// The steps, each one or more lines.
    public var steps: [[String]]

    public init(steps: [[String]]) { self.steps = steps }

    /// The steps numbered `1.`, `2.`, ..., continuation lines indented under their step.
    public var lines: [String] {
        steps.enumerated().flatMap { index, step in
            let number = "\(index + 1). "
            let indent = String(repeating: " ", count: number.count)
            return step.enumerated().map { $0.offset == 0 ? number + $0.element : indent + $0.element }
        }
    }

    /// `a AND b = c` (or OR), bit by bit, with each value's usual form at the right.
    static func bitwise(
        _ operation: String, _ left: (binary: String, text: String),
        _ right: (binary: String, text: String),
        _ result: (binary: String, text: String)
    ) -> [String] {
        let width = 3
        let operation = String(repeating: " ", count: max(0, width - operation.count)) + operation
        let pad = String(repeating: " ", count: width + 1)
        return [
            "  " + pad + left.binary + "   " + left.text,
            "  " + operation + " " + right.binary + "   " + right.text,
            "  " + String(repeating: " ", count: width - 1) + "= " + result.binary + "   " + result.text,
        ]
    }
}
