import SluiceCore

/// Reads the file name from a `Content-Disposition` header (RFC 6266): `filename*=UTF-8''…` first, then `filename=`.
public enum ContentDisposition {
    public static func filename(_ header: String) -> String? {
        var plain: String?
        var extended: String?
        for part in splitParameters(header) {
            guard let eq = part.firstIndex(of: "=") else { continue }
            let key = part[..<eq].trimmingCharacters(in: " \t").lowercased()
            var value = part[part.index(after: eq)...].trimmingCharacters(in: " \t")
            if key == "filename*" {
                // charset'lang'percent-encoded
                let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                if pieces.count == 3 { extended = PercentEncoding.decode(String(pieces[2])) }
            } else if key == "filename" {
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                    value = String(value.dropFirst().dropLast()).replacingBackslashEscapes()
                }
                plain = value
            }
        }
        return extended ?? plain
    }

    private static func splitParameters(_ header: String) -> [Substring] {
        var parts: [Substring] = []
        var start = header.startIndex
        var quoted = false
        var i = header.startIndex
        while i < header.endIndex {
            let c = header[i]
            if c == "\"" { quoted.toggle() }
            if c == ";" && !quoted { parts.append(header[start..<i]); start = header.index(after: i) }
            i = header.index(after: i)
        }
        parts.append(header[start...])
        return parts
    }
}

extension String {
    func replacingBackslashEscapes() -> String {
        var out = ""
        var escape = false
        for c in self {
            if escape { out.append(c); escape = false } else if c == "\\" { escape = true } else { out.append(c) }
        }
        return out
    }
}
