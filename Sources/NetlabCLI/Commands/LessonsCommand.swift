import NetlabTopics

/// `netlab lessons` and `netlab lesson N`.
enum LessonsCommand {
    static let list = Command(
        "lessons", summary: "List the lessons.",
        examples: ["netlab lessons"],
        action: { invocation in
            let lessons = try LessonLibrary.located().lessons()
            let width = lessons.map { String($0.number).count }.max() ?? 1
            for lesson in lessons {
                let number = String(lesson.number)
                invocation.console.out(
                    String(repeating: " ", count: width - number.count) + "\(number)  \(lesson.title)")
            }
            return 0
        })

    static let show = Command(
        "lesson", summary: "Print one lesson.",
        positionals: [Positional("N", help: "the lesson's number, from 'netlab lessons'")],
        examples: ["netlab lesson 3 | less"],
        action: { invocation in
            let word = invocation.positionals[0]
            guard let number = Int(word) else {
                throw invocation.usageError("N must be a lesson number such as 1, not '\(word)'; see 'netlab lessons'")
            }
            invocation.console.out(try LessonLibrary.located().text(of: number))
            return 0
        })
}
