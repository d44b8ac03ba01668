/// Rules for names that come from outside (dropped files, Content-Disposition, URL paths): metadata only.
public enum FileName {
    /// A display name safe to store: last path component, no control characters, at most `maxBytes` UTF-8 bytes;
    /// nil when nothing usable is left.
    public static func sanitize(_ raw: String, maxBytes: Int = 255) -> String? {
        // Most names are printable ASCII with nothing to take away: kept as they are, without a pass per character.
        if isCleanASCII(raw, maxBytes: maxBytes) { return raw }
        var name = raw
        if let cut = name.lastIndex(where: { $0 == "/" || $0 == "\\" }) { name = String(name[name.index(after: cut)...]) }
        name = String(String.UnicodeScalarView(name.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
        name = name.trimmingSpaces()
        while name.hasPrefix(".") { name.removeFirst() }
        name = name.trimmingSpaces()
        guard !name.isEmpty else { return nil }
        if name.utf8.count > maxBytes {
            var cut = ""
            for ch in name {
                if cut.utf8.count + String(ch).utf8.count > maxBytes { break }
                cut.append(ch)
            }
            name = cut
        }
        return name.isEmpty ? nil : name
    }

    /// Printable ASCII (no control character, slash or backslash), not starting with a dot or a space, not ending
    /// with a space, at most `maxBytes`: what `sanitize` returns unchanged.
    private static func isCleanASCII(_ name: String, maxBytes: Int) -> Bool {
        name.utf8.withContiguousStorageIfAvailable { bytes in
            guard let first = bytes.first, let last = bytes.last, bytes.count <= maxBytes,
                  first != UInt8(ascii: "."), first != UInt8(ascii: " "), last != UInt8(ascii: " ") else { return false }
            return bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "\\") }
        } ?? false
    }

    /// The extension of `name` (".pdf"), lowercased, when it is 1–10 ASCII letters or digits; else "".
    public static func safeExtension(of name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        let ext = name[name.index(after: dot)...]
        guard (1...10).contains(ext.count), ext.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }) else { return "" }
        return "." + ext.lowercased()
    }
}
