import Synchronization

/// Who is connected to a chat server, by room and by name: the state every client's task shares.
final class ChatDirectory: Sendable {
    private let members = Mutex<[String: [String: ChatMember]]>([:])

    /// Adds a member to its room; false when the name is already taken there. `welcome` runs first, under
    /// the lock: what it queues for the member comes before anything another client's relay can queue.
    func join(_ member: ChatMember, welcome: () -> Void = {}) -> Bool {
        members.withLock { rooms in
            if rooms[member.room]?[member.name] != nil { return false }
            welcome()
            rooms[member.room, default: [:]][member.name] = member
            return true
        }
    }

    /// Removes a member (if it is still the one registered under its name).
    func leave(_ member: ChatMember) {
        members.withLock { rooms in
            guard rooms[member.room]?[member.name] === member else { return }
            rooms[member.room]?[member.name] = nil
            if rooms[member.room]?.isEmpty == true { rooms[member.room] = nil }
        }
    }

    /// Moves a member to another room; false when its name is already taken there (it stays put then).
    func move(_ member: ChatMember, to room: String) -> Bool {
        members.withLock { rooms in
            let oldRoom = member.room
            guard rooms[oldRoom]?[member.name] === member, rooms[room]?[member.name] == nil else { return false }
            rooms[oldRoom]?[member.name] = nil
            if rooms[oldRoom]?.isEmpty == true { rooms[oldRoom] = nil }
            member.currentRoom.withLock { $0 = room }
            rooms[room, default: [:]][member.name] = member
            return true
        }
    }

    /// Everyone in a room, but `except`.
    func others(in room: String, except member: ChatMember?) -> [ChatMember] {
        members.withLock { rooms in (rooms[room] ?? [:]).values.filter { $0 !== member } }
    }

    /// Everyone connected, but `except`.
    func everyone(except member: ChatMember? = nil) -> [ChatMember] {
        members.withLock { rooms in rooms.values.flatMap(\.values).filter { $0 !== member } }
    }

    /// A member by name, in any room (the first found).
    func member(named name: String) -> ChatMember? {
        members.withLock { rooms in rooms.values.lazy.compactMap { $0[name] }.first }
    }

    /// The names in a room, sorted.
    func names(in room: String) -> [String] {
        members.withLock { ($0[room] ?? [:]).keys.sorted() }
    }

    /// Each room with how many are in it, sorted by name.
    func rooms() -> [(room: String, count: Int)] {
        members.withLock { rooms in rooms.map { ($0.key, $0.value.count) }.sorted { $0.room < $1.room } }
    }
}
