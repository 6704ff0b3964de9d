import NetlabSockets
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
    /// How the client writes, and so is written to: UTF-8, or GBK (seed 003's programs); it may change
    /// from UTF-8 to GBK when `--encoding auto` sees GBK text from it.
    let encoding: Mutex<ChatEncoding>

    init(
        socket: Socket, peer: String, identity: ChatName, room: String, queueLimit: Int, usesLineEnds: Bool = true,
        encoding: ChatEncoding = .utf8
    ) {
        self.socket = socket
        self.peer = peer
        self.identity = identity
        self.currentRoom = Mutex(room)
        self.outbox = Outbox(limit: queueLimit)
        self.usesLineEnds = usesLineEnds
        self.encoding = Mutex(encoding)
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
        var bytes = line
        if encoding.withLock({ $0 }) == .gbk {
            bytes = ChatEncoding.gbk.encode(String(decoding: line, as: UTF8.self))
        }
        return outbox.push(usesLineEnds ? bytes : Array(bytes.dropLast()))
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
