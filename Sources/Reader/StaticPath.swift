import Foundation

/// Maps a URL path onto a regular file under `outbox/`, refusing anything that could leave it.
enum StaticPath {
    /// The file: its path (the key it is kept under), what `lstat` told of it (its version: see `OutboxFileCache`),
    /// and where it is opened from (the folder its components were checked in).
    struct Resolved {
        let path: String
        let status: stat
        let view: OutboxDirectory.View
        let relative: String

        /// The file opened for reading; -1 when it cannot be (gone meanwhile, or a link now).
        func open() -> Int32 { view.open(relative) }
    }

    static func resolve(_ relative: String, in outbox: OutboxDirectory) -> Resolved? {
        let decoded = relative.utf8.contains(UInt8(ascii: "%")) ? relative.removingPercentEncoding ?? relative : relative
        var parts: [Substring] = []
        for part in decoded.split(separator: "/", omittingEmptySubsequences: true) {
            // No hidden names (temporary files, bookkeeping), no parent references, no NULs, no backslashes.
            if part.utf8.first == UInt8(ascii: ".") || part.utf8.contains(where: { $0 == 0 || $0 == UInt8(ascii: "\\") }) { return nil }
            parts.append(part)
        }
        guard let view = outbox.view() else { return nil }
        if let found = resolve(parts, in: view, under: outbox.path) { return found }
        // Missing: perhaps because the folder held is not the one at the outbox's path any more.
        guard let fresh = outbox.view(recheck: true), !fresh.isSameFolder(as: view) else { return nil }
        return resolve(parts, in: fresh, under: outbox.path)
    }

    /// Each component in turn, none followed if it is a link: a link never leads out of the outbox.
    private static func resolve(_ parts: [Substring], in view: OutboxDirectory.View, under base: String) -> Resolved? {
        var path = ""
        var st = stat()
        for (i, part) in parts.enumerated() {
            path += i == 0 ? part : "/" + part
            guard view.linkStatus(path, &st) else { return nil }
            let type = st.st_mode & S_IFMT
            if type == S_IFLNK { return nil }
            if i == parts.count - 1 {
                if type == S_IFDIR {
                    path += "/index.html"
                    guard view.linkStatus(path, &st), st.st_mode & S_IFMT == S_IFREG else { return nil }
                } else if type != S_IFREG { return nil }
                return Resolved(path: base + "/" + path, status: st, view: view, relative: path)
            } else if type != S_IFDIR { return nil }
        }
        guard view.linkStatus("index.html", &st), st.st_mode & S_IFMT == S_IFREG else { return nil }
        return Resolved(path: base + "/index.html", status: st, view: view, relative: "index.html")
    }

    static func contentType(_ path: String) -> String {
        // The extension: after the last dot of the last component (bytes, lowercased ASCII).
        let utf8 = path.utf8
        guard let dot = utf8.lastIndex(of: UInt8(ascii: ".")), !utf8[dot...].contains(UInt8(ascii: "/")) else { return "application/octet-stream" }
        let ext = String(decoding: utf8[utf8.index(after: dot)...].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
        switch ext {
        case "json": return "application/json"
        case "html": return "text/html; charset=utf-8"
        case "css": return "text/css"
        case "js": return "text/javascript"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        case "svg": return "image/svg+xml"
        case "txt": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }
}
