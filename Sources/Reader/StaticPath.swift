import Foundation

/// Maps a URL path onto a regular file under `outbox/`, refusing anything that could leave it.
enum StaticPath {
    struct Resolved { let path: String; let size: Int }

    static func resolve(_ relative: String, under base: String) -> Resolved? {
        let decoded = relative.removingPercentEncoding ?? relative
        var parts: [Substring] = []
        for part in decoded.split(separator: "/", omittingEmptySubsequences: true) {
            // No hidden names (temporary files, bookkeeping), no parent references, no NULs.
            if part.hasPrefix(".") || part.contains("\0") || part.contains("\\") { return nil }
            parts.append(part)
        }
        var path = base
        for (i, part) in parts.enumerated() {
            path += "/" + part
            var st = stat()
            guard lstat(path, &st) == 0 else { return nil }
            let type = st.st_mode & S_IFMT
            if type == S_IFLNK { return nil } // never follow links out of the outbox
            if i == parts.count - 1 {
                if type == S_IFDIR {
                    path += "/index.html"
                    guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
                } else if type != S_IFREG { return nil }
                return Resolved(path: path, size: Int(st.st_size))
            } else if type != S_IFDIR { return nil }
        }
        var st = stat()
        guard lstat(base + "/index.html", &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        return Resolved(path: base + "/index.html", size: Int(st.st_size))
    }

    static func contentType(_ path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
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
