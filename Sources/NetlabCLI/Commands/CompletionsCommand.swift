import NetlabTopics

/// `netlab completions bash|zsh|fish` and `netlab manual`: shell completions and a man page, both written
/// from the command tree, so they list every command and option this build has.
enum CompletionsCommand {
    static let completions = Command(
        "completions", summary: "Print a shell completion script for bash, zsh or fish.",
        discussion: """
            The script completes commands at every level, each command's options, and the values of options
            that take one of a few words (--reply, --protocol) or a path (--unix, --dir).
            bash: source <(netlab completions bash), or save it as ~/.local/share/bash-completion/completions/netlab.
            zsh: source <(netlab completions zsh), or save it as _netlab in a folder on $fpath.
            fish: netlab completions fish > ~/.config/fish/completions/netlab.fish
            """,
        positionals: [Positional("SHELL", help: "bash, zsh or fish")],
        examples: [
            "source <(netlab completions bash)", "netlab completions fish > ~/.config/fish/completions/netlab.fish",
        ],
        run: { invocation in
            let word = invocation.positionals[0]
            guard let shell = Completions.Shell(rawValue: word) else {
                let names = Completions.Shell.allCases.map(\.rawValue)
                let closest = Suggestion.closest(to: word, in: names) ?? names[0]
                throw invocation.usageError(
                    "SHELL must be \(ArgumentParser.list(names)), not '\(word)' — did you mean '\(closest)'?")
            }
            invocation.console.out(Completions.script(for: shell, root: CommandTable.root))
            return CLI.ExitStatus.success
        })

    static let manual = Command(
        "manual", summary: "Print netlab's manual page (roff), with every command, option and example.",
        discussion: "Read it with 'netlab manual | man -l -', or save it as netlab.1 in a man1 folder on MANPATH.",
        examples: ["netlab manual | man -l -", "netlab manual > ~/.local/share/man/man1/netlab.1"],
        run: { invocation in
            invocation.console.out(Manual.page(root: CommandTable.root, version: CLI.version))
            return CLI.ExitStatus.success
        })
}
