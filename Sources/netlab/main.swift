import Glibc
import NetlabKit

// argv in, exit status out: everything else lives in NetlabKit.
let status = await CLI.run(Array(CommandLine.arguments.dropFirst()))
exit(status)
