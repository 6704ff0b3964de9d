import Synchronization

/// One connected chat client: its socket, its name and room, and its outbox.
final class ChatMember: Sendable {
    let socket: Socket
    let peer: String
    /// The member's name as shown; `identity` is what names are compared by.
    var name: String { identity.text }
    let identity: ChatName
    /// The member's room (its key: NFKC, case-folded); `ChatDirectory` changes it (for `/join`) under its own lock.
    var room: String { currentRoom.withLock { $0 } }
    let currentRoom: Mutex<String>
    let outbox: Outbox
    /// Whether the client ended its login with a line end. The seeds' clients send none and compare
    /// what they receive with `success` or `quit` exactly, so such a client gets its lines without one.
    let usesLineEnds: Bool

    init(socket: Socket, peer: String, identity: ChatName, room: String, queueLimit: Int, usesLineEnds: Bool = true) {
        self.socket = socket
        self.peer = peer
        self.identity = identity
        self.currentRoom = Mutex(room)
        self.outbox = Outbox(limit: queueLimit)
        self.usesLineEnds = usesLineEnds
    }

    /// Queues one line (with a line end if the client uses them); false when the client's outbox is full.
    @discardableResult
    func deliver(_ line: String) -> Bool {
        deliver(encoded: Self.encode(line))
    }

    /// Queues a line made by `encode`; false when the client's outbox is full. A relay encodes its line
    /// once and every recipient's outbox shares those bytes.
    @discardableResult
    func deliver(encoded line: [UInt8]) -> Bool {
        outbox.push(usesLineEnds ? line : Array(line.dropLast()))
    }

    /// A line as it goes on the wire: UTF-8, then `\n`.
    static func encode(_ line: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(line.utf8.count + 1)
        bytes += line.utf8
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// Sends what is queued, as it is queued, until the outbox closes or the client goes away.
    func writeQueued() async {
        while let bytes = await outbox.next() {
            do {
                try await socket.send(bytes)
            } catch {
                return
            }
        }
    }
}
