import NetlabSockets

/// Two-party chat over UDP (seed 003): no connection, no turns, and each message is one datagram.
///
/// The seed sends typed lines on one thread and prints what arrives on another; here both are events
/// taken by one loop. What the lesson shows is what UDP leaves out (lessons/09-two-party-chat.md): the
/// listening side learns where its partner is only from the first datagram's source address, each
/// datagram arrives whole or not at all (never joined to the next, never split), and leaving tells
/// nobody, since there is no connection to close.
public struct UDPChatPeer: Sendable {
    public let terminal: ChatTerminal

    public init(terminal: ChatTerminal) {
        self.terminal = terminal
    }

    enum Event: Sendable {
        case received([UInt8], from: SocketAddress)
        case refused(SocketError)
        case typed(ChatTerminal.Input)
    }

    /// Waits on a bound socket: the first datagram's sender becomes the partner (recvfrom(2)).
    public func listen(on socket: Socket) async -> Int32 {
        await converse(socket, partner: nil)
    }

    /// Talks through a socket connected to the other side (connect(2) on UDP only fixes the address).
    public func talk(over socket: Socket) async -> Int32 {
        await converse(socket, partner: socket.remoteAddress)
    }

    private func converse(_ socket: Socket, partner initialPartner: SocketAddress?) async -> Int32 {
        let (events, sink) = AsyncStream.makeStream(of: Event.self)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await input in terminal.input { sink.yield(.typed(input)) }
            }
            group.addTask {
                while !Task.isCancelled {
                    do {
                        let (bytes, sender) = try await socket.receiveDatagram()
                        sink.yield(.received(bytes, from: sender))
                    } catch let error as SocketError {
                        // ICMP port unreachable for an earlier datagram: nobody listens there (yet).
                        sink.yield(.refused(error))
                    } catch {
                        return
                    }
                }
            }
            var partner = initialPartner
            if partner == nil {
                notice("waiting for the first datagram: its source address is where your lines will go")
            } else {
                notice("sending to \(partner!); UDP has no connection, so nothing tells you anyone is there")
            }
            prompt(hasPartner: partner != nil)
            loop: for await event in events {
                switch event {
                case .received(let bytes, let sender):
                    if partner == nil {
                        partner = sender
                        notice("first datagram from \(sender): your lines now go there")
                        prompt(hasPartner: true)
                    }
                    show(bytes, from: sender, isPartner: sender == partner)
                case .refused(let error):
                    notice("\(error.description); that datagram was lost, and UDP does not resend it")
                case .typed(let input):
                    if ChatPeer.isLeaving(input) { break loop }
                    guard case .line(let line) = input else { continue }
                    guard let partner else {
                        notice(
                            "nobody to send to yet: wait for the other side's first datagram; that line was not sent")
                        continue
                    }
                    do {
                        try await socket.send(Array(line.utf8), to: socket.remoteAddress == nil ? partner : nil)
                    } catch {
                        notice("\(error); that line was not sent")
                    }
                }
            }
            group.cancelAll()
            socket.close()  // wakes the receiving task
        }
        notice("you left; UDP has no connection to close, so the other side is not told")
        terminal.restore()
        return 0
    }

    /// One datagram, one line: a line end it carries is dropped, and any other control character is
    /// shown escaped (`\n`), so where one datagram ends and the next begins stays visible.
    private func show(_ bytes: [UInt8], from sender: SocketAddress, isPartner: Bool) {
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }  // "\r\n" is one Character in Swift
        let shown = TerminalText.escaped(text)
        if terminal.isInteractive {
            let who = isPartner ? terminal.colored(name: "partner") : terminal.colored(name: sender.description)
            terminal.show(who + terminal.dimmed(" [\(bytes.count) bytes]") + ": " + shown)
        } else {
            terminal.show(isPartner ? shown : "\(sender): \(shown)")
        }
    }

    private func notice(_ text: String) {
        if terminal.isInteractive {
            terminal.show(terminal.dimmed("* " + text))
        } else {
            terminal.console.err("* " + text)
        }
    }

    private func prompt(hasPartner: Bool) {
        terminal.setPrompt(hasPartner ? "you> " : terminal.dimmed("(waiting for a datagram) "))
    }
}
