/// `%XX` decoding for URL paths and RFC 5987 header values.
public enum PercentEncoding {
    /// The decoded text, or nil when the decoded bytes are not UTF-8. A `%` not followed by two hex digits stays as it is.
    public static func decode(_ s: String) -> String? {
        var out: [UInt8] = []
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let v = UInt8(String(decoding: b[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                out.append(v)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }
}
