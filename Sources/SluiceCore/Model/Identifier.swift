/// Lowercase RFC 9562 version-7 UUID strings (time-ordered): the ids of files, requests and jobs.
///
/// Version 7 puts the millisecond time first, so new ids sort after old ones and the catalogue's
/// indexes grow at their end instead of at random places: inserts stay cheap as the catalogue grows.
/// The 74 random bits come from the kernel's `getrandom`, through `RandomPool`.
public enum Identifier {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// A fresh id: 48 bits of Unix milliseconds, then 74 random bits.
    public static func make() -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        let milliseconds = UInt64(Timestamp.now().microseconds / 1000)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(i))) }
        var random = (RandomPool.next(), RandomPool.next())
        withUnsafeBytes(of: &random) { r in for i in 6..<16 { bytes[i] = r[i] } }
        return format(bytes)
    }
    static func format(_ input: [UInt8]) -> String {
        var b = input
        b[6] = (b[6] & 0x0F) | 0x70
        b[8] = (b[8] & 0x3F) | 0x80
        var out = [UInt8]()
        out.reserveCapacity(36)
        for i in 0..<16 {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(b[i] >> 4)])
            out.append(hex[Int(b[i] & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// True for the canonical 8-4-4-4-12 hex form (either case).
    public static func isValid(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 36 else { return false }
        for (i, c) in u.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 { if c != UInt8(ascii: "-") { return false }; continue }
            switch c {
            case 0x30...0x39, 0x41...0x46, 0x61...0x66: continue
            default: return false
            }
        }
        return true
    }

    /// The canonical (lowercase) form of a valid id, or nil.
    public static func canonical(_ s: String) -> String? { isValid(s) ? s.lowercased() : nil }
}
