/// Lowercase RFC 4122 version-4 UUID strings: the ids of files, requests and jobs.
public enum Identifier {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// A fresh random id.
    public static func make() -> String {
        var rng = SystemRandomNumberGenerator()
        var raw = (rng.next() as UInt64, rng.next() as UInt64)
        return withUnsafeBytes(of: &raw) { format(Array($0)) }
    }

    static func format(_ input: [UInt8]) -> String {
        var b = input
        b[6] = (b[6] & 0x0F) | 0x40
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
