import Synchronization

/// Who is connected to a chat server, by room and by name: the state every client's task shares.
///
/// Names are compared by `ChatName.key` (NFKC, case-folded) and by `ChatName.skeleton`: a name is
/// taken in a room when someone there has the same key or a look-alike skeleton. Rooms are keyed by
/// their `ChatName.key`. The direct protocol puts everyone in the room "", so its names are unique
/// server-wide.
final class ChatDirectory: Sendable {
    private let members = Mutex<[String: Room]>([:])

    /// The members of one room, by name and by skeleton.
    private struct Room {
        var byKey: [String: ChatMember] = [:]
        var bySkeleton: [String: ChatMember] = [:]

        func isTaken(by name: ChatName) -> Bool { byKey[name.key] != nil || bySkeleton[name.skeleton] != nil }

        mutating func insert(_ member: ChatMember) {
            byKey[member.identity.key] = member
            bySkeleton[member.identity.skeleton] = member
        }

        /// Removes the member if it is the one registered under its name; false when it was not.
        mutating func remove(_ member: ChatMember) -> Bool {
            guard byKey[member.identity.key] === member else { return false }
            byKey[member.identity.key] = nil
            bySkeleton[member.identity.skeleton] = nil
            return true
        }
    }

    /// What `/msg NAME` finds.
    enum Lookup {
        case found(ChatMember)
        case nobody
        /// Nobody so named in the sender's room, but someone in each of these rooms (sorted).
        case several(rooms: [String])
    }

    /// Adds a member to its room; false when its name, or one that looks like it, is taken there.
    /// `welcome` runs first, under the lock: what it queues for the member comes before anything
    /// another client's relay can queue.
    func join(_ member: ChatMember, welcome: () -> Void = {}) -> Bool {
        members.withLock { rooms in
            if rooms[member.room]?.isTaken(by: member.identity) == true { return false }
            welcome()
            rooms[member.room, default: Room()].insert(member)
            return true
        }
    }

    /// Removes a member (if it is still the one registered under its name).
    func leave(_ member: ChatMember) {
        members.withLock { rooms in
            guard rooms[member.room]?.remove(member) == true else { return }
            if rooms[member.room]?.byKey.isEmpty == true { rooms[member.room] = nil }
        }
    }

    /// Moves a member to another room; false when its name is already taken there (it stays put then).
    func move(_ member: ChatMember, to room: String) -> Bool {
        members.withLock { rooms in
            let oldRoom = member.room
            guard rooms[oldRoom]?.byKey[member.identity.key] === member,
                rooms[room]?.isTaken(by: member.identity) != true
            else { return false }
            _ = rooms[oldRoom]?.remove(member)
            if rooms[oldRoom]?.byKey.isEmpty == true { rooms[oldRoom] = nil }
            member.currentRoom.withLock { $0 = room }
            rooms[room, default: Room()].insert(member)
            return true
        }
    }

    /// Everyone in a room, but `except`.
    func others(in room: String, except member: ChatMember?) -> [ChatMember] {
        members.withLock { rooms in (rooms[room]?.byKey ?? [:]).values.filter { $0 !== member } }
    }

    /// Everyone connected, but `except`.
    func everyone(except member: ChatMember? = nil) -> [ChatMember] {
        members.withLock { rooms in rooms.values.flatMap(\.byKey.values).filter { $0 !== member } }
    }

    /// The member with this name key in this room.
    func member(named key: String, in room: String) -> ChatMember? {
        members.withLock { $0[room]?.byKey[key] }
    }

    /// The member `/msg NAME` means: NAME in `room`, else the only NAME on the server; never a guess
    /// between several, so the answer does not depend on the order of a dictionary.
    func recipient(named key: String, preferring room: String) -> Lookup {
        members.withLock { rooms in
            if let member = rooms[room]?.byKey[key] { return .found(member) }
            let matches = rooms.compactMap { entry in entry.value.byKey[key].map { (room: entry.key, member: $0) } }
            switch matches.count {
            case 0: return .nobody
            case 1: return .found(matches[0].member)
            default: return .several(rooms: matches.map(\.room).sorted())
            }
        }
    }

    /// The names in a room, sorted.
    func names(in room: String) -> [String] {
        members.withLock { ($0[room]?.byKey.values.map(\.name) ?? []).sorted() }
    }

    /// Each room with how many are in it, sorted by name.
    func rooms() -> [(room: String, count: Int)] {
        members.withLock { rooms in rooms.map { ($0.key, $0.value.byKey.count) }.sorted { $0.room < $1.room } }
    }
}
