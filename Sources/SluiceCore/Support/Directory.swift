#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// An open directory descriptor: the base for `*at` calls, closed in `deinit`.
public final class Directory: @unchecked Sendable { // the descriptor is immutable; the kernel serialises calls on it.
    public let fd: Int32
    public let path: String

    /// Opens `path`, creating it (and its parents) first when `create` is set.
    public init(path: String, create: Bool = false) throws {
        if create { try Directory.makePath(path) }
        let fd = retryingEINTR { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw SystemCallError.current("open directory", path) }
        self.fd = fd
        self.path = path
    }

    /// Takes over an open directory descriptor (closed in `deinit`), known by `path`.
    public init(adopting fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    public static func makePath(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw SystemCallError.current("mkdir", current) }
        }
    }

    /// Entry names and types at the top level, hidden names left out.
    public func entries(includeHidden: Bool = false) throws -> [(name: String, type: UInt8)] {
        let dup = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard dup >= 0, let stream = fdopendir(dup) else { throw SystemCallError.current("opendir", path) }
        defer { closedir(stream) }
        rewinddir(stream)
        var result: [(String, UInt8)] = []
        while let entry = readdir(stream) {
            let (name, type) = withUnsafePointer(to: &entry.pointee.d_name) { ptr in
                ptr.withMemoryRebound(to: CChar.self, capacity: 256) { (String(cString: $0), entry.pointee.d_type) }
            }
            if name == "." || name == ".." { continue }
            if !includeHidden && name.hasPrefix(".") { continue }
            result.append((name, type))
        }
        return result
    }

    /// The entry's type without following a symlink (for file systems whose readdir says DT_UNKNOWN).
    public func lstatType(_ name: String) -> UInt8? {
        var st = stat()
        guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return UInt8(DT_REG)
        case S_IFDIR: return UInt8(DT_DIR)
        case S_IFLNK: return UInt8(DT_LNK)
        default: return UInt8(DT_UNKNOWN)
        }
    }

    /// Removes `.tmp-<pid>-…` files left by processes that no longer run (killed mid-write).
    public func removeStaleTemporaries() {
        guard let names = try? entries(includeHidden: true) else { return }
        for entry in names where entry.name.hasPrefix(".tmp-") {
            let pid = entry.name.dropFirst(5).prefix(while: { $0 != "-" })
            guard let pid = Int32(pid), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlinkat(fd, entry.name, 0) }
        }
    }

    /// Reads a whole file of at most `limit` bytes.
    public func read(_ name: String, limit: Int) throws -> [UInt8] {
        let input = retryingEINTR { openat(fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
        guard input >= 0 else { throw SystemCallError.current("open", path + "/" + name) }
        defer { close(input) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while bytes.count <= limit {
            let n = buffer.withUnsafeMutableBytes { b in retryingEINTR { Glibc.read(input, b.baseAddress, b.count) } }
            if n < 0 { throw SystemCallError.current("read", path + "/" + name) }
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return bytes
    }

    /// Copies `name` in `source` to `target` here, atomically: written to `temp` (here, on the same file system as
    /// `target`), then renamed. For moves a link cannot make.
    public func copy(from source: Directory, _ name: String, to target: String, through temp: String) throws {
        let input = retryingEINTR { openat(source.fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
        guard input >= 0 else { throw SystemCallError.current("open", source.path + "/" + name) }
        defer { close(input) }
        let output = retryingEINTR { openat(fd, temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        guard output >= 0 else { throw SystemCallError.current("create", path + "/" + temp) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { b in retryingEINTR { Glibc.read(input, b.baseAddress, b.count) } }
            if n == 0 { break }
            let written = n > 0 ? buffer.withUnsafeBytes { b in retryingEINTR { write(output, b.baseAddress, n) } } : -1
            if n < 0 || written != n {
                let e = errno
                close(output); unlinkat(fd, temp, 0)
                throw SystemCallError(Errno(rawValue: e), "copy", source.path + "/" + name)
            }
        }
        close(output)
        guard renameat(fd, temp, fd, target) == 0 else { throw SystemCallError.current("rename", path + "/" + target) }
    }

    /// Writes `bytes` to `name` atomically: an unnamed file (`UnnamedFile`) linked in as `name`, or, when the name
    /// is taken, linked as the temporary `.tmp-<tempTag>` and renamed over it (a link never replaces). With
    /// `replacing` (the name most likely exists: a listing page rewritten), and where unnamed files cannot be used,
    /// the temporary is created by name and renamed, which costs less than a link refused first. `tempTag` starts
    /// with the writer's pid, so `removeStaleTemporaries` can tell a dead writer's leftovers.
    public func writeAtomically(_ name: String, _ bytes: [UInt8], tempTag: String, replacing: Bool = false) throws {
        let temp = ".tmp-\(tempTag)"
        var out: Int32 = -1
        if !replacing {
            out = UnnamedFile.open(in: fd)
            guard out >= 0 || UnnamedFile.isUnsupported(errno) else { throw SystemCallError.current("create", path + "/" + name) }
        }
        let unnamed = out >= 0
        if !unnamed {
            out = retryingEINTR { openat(fd, temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
            guard out >= 0 else { throw SystemCallError.current("create", path + "/" + temp) }
        }
        defer { close(out) }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let n = retryingEINTR { write(out, buffer.baseAddress! + written, buffer.count - written) }
                if n <= 0 { return false }
                written += n
            }
            return true
        }
        guard ok else {
            let e = errno
            if !unnamed { unlinkat(fd, temp, 0) }
            throw SystemCallError(Errno(rawValue: e), "write", path + "/" + name)
        }
        if unnamed {
            if UnnamedFile.link(out, in: fd, as: name) { return }
            guard errno == EEXIST else { throw SystemCallError.current("link", path + "/" + name) }
            // A temporary of this tag left by a pass that failed between its link and its rename goes first.
            if !UnnamedFile.link(out, in: fd, as: temp) {
                guard errno == EEXIST else { throw SystemCallError.current("link", path + "/" + temp) }
                guard unlinkat(fd, temp, 0) == 0 else { throw SystemCallError.current("unlink", path + "/" + temp) }
                guard UnnamedFile.link(out, in: fd, as: temp) else { throw SystemCallError.current("link", path + "/" + temp) }
            }
        }
        guard renameat(fd, temp, fd, name) == 0 else {
            let e = errno
            unlinkat(fd, temp, 0)
            throw SystemCallError(Errno(rawValue: e), "rename", path + "/" + name)
        }
    }
}
