import Foundation
import Testing

@testable import NetlabCLI

@Suite("The manual page", .machineShare, .tags(.integration))
struct ManualTests {
    @Test("groff reads the page without a warning")
    func groffWarnings() async throws {
        guard Tools.isInstalled("groff") else { return }
        let page = await runCLI(["manual"])
        #expect(page.status == 0)
        let result = try await runTool("groff", ["-man", "-Tutf8", "-ww", "-z"], input: page.out)
        #expect(result.status == 0)
        #expect(result.err == "", "groff warns:\n\(result.err)")
    }

    @Test("man renders every command, its options and examples")
    func rendered() async throws {
        guard Tools.isInstalled("man") else { return }
        let page = await runCLI(["manual"])
        let result = try await runTool(
            "man", ["-l", "-"], input: page.out, environment: ["MANWIDTH": "250", "MANPAGER": "cat", "PAGER": "cat"])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.err == "", "\(result.err)")
        let text = result.out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for expected in [
            "NETLAB(1)", "netlab tcp server [options]",
            "--reply MODE timestamp, echo, upper or hello (default: timestamp)",
            "netlab ip split [options] CIDR", "netlab tcp server --port 0 --reply upper", "EXIT STATUS", "SEE ALSO",
            "netlab completions SHELL", "--unix PATH",
        ] {
            #expect(text.contains(expected), "the rendered page lacks '\(expected)'")
        }
        for (path, command) in everyCommand() where command.action != nil {
            #expect(text.contains(Help.usage(of: command, path: path)), "the page lacks \(path)")
        }
    }

    @Test("roff's specials are escaped: backslashes, hyphens, leading dots and quotes, non-ASCII")
    func escaping() {
        #expect(Manual.escaped("--port") == "\\-\\-port")
        #expect(Manual.escaped("a\\b") == "a\\eb")
        #expect(Manual.escaped("caf\u{E9} \u{2014} \u{5C0F}") == "caf\\[u00E9] \\[u2014] \\[u5C0F]")
        #expect(Manual.text(".hidden") == "\\&.hidden")
        #expect(Manual.text("'quoted") == "\\&'quoted")
    }
}
