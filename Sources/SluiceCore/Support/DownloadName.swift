/// The provisional name of a download: the URL path's last segment, percent-decoded and sanitised.
public enum DownloadName {
    /// Scans the URL's bytes once (a queue of a thousand URLs names a thousand Files in one commit).
    public static func fromURL(_ url: String) -> String? {
        var utf8 = Substring(url).utf8
        if let end = utf8.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) { utf8 = utf8[..<end] }
        guard let colon = utf8.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let afterColon = utf8[utf8.index(after: colon)...]
        guard afterColon.starts(with: "//".utf8) else { return nil }
        let afterScheme = afterColon.dropFirst(2)
        guard let slash = afterScheme.firstIndex(of: UInt8(ascii: "/")) else { return nil }
        let path = afterScheme[slash...]
        // The last non-empty segment ("a/b/" names "b").
        var end = path.endIndex
        while end > path.startIndex, path[path.index(before: end)] == UInt8(ascii: "/") { end = path.index(before: end) }
        guard end > path.startIndex else { return nil }
        let start = path[..<end].lastIndex(of: UInt8(ascii: "/")).map { path.index(after: $0) } ?? path.startIndex
        let last = String(Substring(path[start..<end]))
        return FileName.sanitize(PercentEncoding.decode(last) ?? last)
    }
}
