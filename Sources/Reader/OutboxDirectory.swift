import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The reader's `outbox/`, held open (`O_PATH`) so that a request's file is looked up from it, a component or two,
/// rather than from `/` through every folder above it each time: those walks were most of what a kept file's answer
/// cost besides the socket. Reopened when the folder at `path` is another one than the one held (removed and made
/// again) or has appeared since.
final class OutboxDirectory: Sendable {
    let path: String
    private let held = Mutex<Handle?>(nil)
    /// `O_PATH`, which Glibc's module leaves out (the same on x86-64 and arm64): a descriptor to look up from, which
    /// needs no read permission on the folder.
    private static let pathOnly: Int32 = 0o10_000_000

    init(path: String) { self.path = path }

    /// One open descriptor of the folder, closed when the last lookup using it is done.
    private final class Handle: Sendable {
        let fd: Int32
        let device: UInt64, inode: UInt64

        init?(path: String) {
            let fd = open(path, OutboxDirectory.pathOnly | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            var status = stat()
            guard fstat(fd, &status) == 0 else { close(fd); return nil }
            self.fd = fd
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
        }

        deinit { close(fd) }
    }

    /// `lstat` of `relative` (components joined by `/`, none empty, none a parent reference) under the folder: a
    /// link in the last component is told, not followed. False when there is nothing there.
    func linkStatus(_ relative: String, _ status: inout stat) -> Bool {
        guard let handle = current() else { return false }
        if fstatat(handle.fd, relative, &status, AT_SYMLINK_NOFOLLOW) == 0 { return true }
        // Missing: perhaps because the folder held is not the one at `path` any more.
        guard errno == ENOENT, let fresh = replacement(of: handle) else { return false }
        return fstatat(fresh.fd, relative, &status, AT_SYMLINK_NOFOLLOW) == 0
    }

    private func current() -> Handle? {
        if let handle = held.withLock({ $0 }) { return handle }
        return replacement(of: nil)
    }

    /// A new handle when the folder at `path` is not the one `handle` holds (or none was held).
    private func replacement(of handle: Handle?) -> Handle? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        if let handle, UInt64(status.st_dev) == handle.device, UInt64(status.st_ino) == handle.inode { return nil }
        guard let fresh = Handle(path: path) else { return nil }
        held.withLock { $0 = fresh }
        return fresh
    }
}
