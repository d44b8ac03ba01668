/// Finds a repeated member name in a large object in linear time.
///
/// Open addressing over a 64-bit hash of each name's UTF-8 bytes (wyhash's multiply-fold mixing, keyed per process
/// so that names cannot be chosen to collide). A slot packs the hash's upper 32 bits with the member's position, so
/// a probe compares hashes without touching the member list, and growing needs no String. A million names cost a
/// fraction of a `Set<String>`.
struct MemberNameIndex {
    /// `hash & ~positionMask | position + 1`; 0 for an empty slot. At most half full.
    private var table = [UInt64](repeating: 0, count: 64)
    private var count = 0
    /// Positions take the low 32 bits (a document would need 24 GiB to hold more members).
    private static let positionMask: UInt64 = (1 << 32) - 1
    private static let key: (UInt64, UInt64) = {
        var system = SystemRandomNumberGenerator()
        return (system.next(), system.next() | 1)
    }()

    /// Indexes `members`, whose names are known to differ.
    init(distinct members: [(key: String, value: JSONValue)]) {
        for member in members { place(Self.hash(member.key)) }
    }

    /// Indexes `name`, the member about to be appended to `members` (all of them indexed); false when one of them
    /// already has that name.
    mutating func insert(_ name: String, after members: [(key: String, value: JSONValue)]) -> Bool {
        let hash = Self.hash(name) & ~Self.positionMask
        let mask = table.count - 1
        var slot = Self.slot(hash, mask)
        while table[slot] != 0 {
            if table[slot] & ~Self.positionMask == hash,
               JSONParser.sameName(members[Int(table[slot] & Self.positionMask) - 1].key, name) {
                return false
            }
            slot = (slot + 1) & mask
        }
        place(hash)
        return true
    }

    /// Puts the next position in with `hash`, growing the table first when it would be more than half full.
    private mutating func place(_ hash: UInt64) {
        if (count + 1) * 2 > table.count {
            let old = table
            table = [UInt64](repeating: 0, count: table.count * 2)
            for entry in old where entry != 0 { put(entry) }
        }
        count += 1
        put(hash & ~Self.positionMask | UInt64(count))
    }

    private mutating func put(_ entry: UInt64) {
        let mask = table.count - 1
        var slot = Self.slot(entry, mask)
        while table[slot] != 0 { slot = (slot + 1) & mask }
        table[slot] = entry
    }

    /// The slot of a hash: its bits above the position's.
    private static func slot(_ entry: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: entry >> 32) & mask }

    static func hash(_ name: String) -> UInt64 {
        var name = name
        return name.withUTF8 { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            var hash = key.0 ^ UInt64(raw.count)
            var offset = 0
            while offset + 8 <= raw.count {
                hash = mix(hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self), key.1)
                offset += 8
            }
            var tail: UInt64 = 0
            for (shift, byte) in raw[offset...].enumerated() { tail |= UInt64(byte) << UInt64(8 * shift) }
            return mix(hash ^ tail, key.1 ^ 0x9E37_79B9_7F4A_7C15)
        }
    }

    /// The high and low halves of the 128-bit product, folded.
    private static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }
}
