import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The reader's `outbox/`, held open (`O_PATH`) so that a request's file is looked up from it, a component or two,
/// rather than from `/` through every folder above it each time: those walks were most of what a kept file's answer
/// cost besides the socket. A lookup checks and opens its file from one `View`, so both see the same folder. The
/// folder held is compared with the one at `path` by the first lookup after the last comparison is a second old, and
/// at a miss: one removed, renamed away or made again is let go within a second (until then, a file still in a
/// folder renamed away is answered from it).
final class OutboxDirectory: Sendable {
    let path: String
    private let held = Mutex<(handle: Handle, checked: ContinuousClock.Instant)?>(nil)
    /// `O_PATH`, which Glibc's module leaves out (the same on x86-64 and arm64): a descriptor to look up from, which
    /// needs no read permission on the folder.
    private static let pathOnly: Int32 = 0o10_000_000
    static let recheckInterval = Duration.seconds(1)

    init(path: String) { self.path = path }

    /// The folder as one lookup sees it; nil while there is none at `path`. With `recheck`, compared with the folder
    /// at `path` now, whenever it was last.
    func view(recheck: Bool = false) -> View? {
        let now = ContinuousClock.now
        if !recheck, let handle = held.withLock({ held in held.flatMap { now - $0.checked < Self.recheckInterval ? $0.handle : nil } }) {
            return View(handle: handle)
        }
        var status = stat()
        guard stat(path, &status) == 0 else {
            held.withLock { $0 = nil }
            return nil
        }
        if let handle = held.withLock({ $0?.handle }), handle.device == UInt64(status.st_dev), handle.inode == UInt64(status.st_ino) {
            held.withLock { $0?.checked = now }
            return View(handle: handle)
        }
        guard let fresh = Handle(path: path) else { return nil }
        held.withLock { $0 = (fresh, now) }
        return View(handle: fresh)
    }

    /// Lookups from one descriptor of the folder.
    struct View: Sendable {
        fileprivate let handle: Handle

        /// `lstat` of `relative` (components joined by `/`, none empty, none a parent reference): a link in the last
        /// component is told, not followed. False when there is nothing there.
        func linkStatus(_ relative: String, _ status: inout stat) -> Bool {
            fstatat(handle.fd, relative, &status, AT_SYMLINK_NOFOLLOW) == 0
        }

        /// `relative` opened for reading, its last component never followed if a link; -1 on failure.
        func open(_ relative: String) -> Int32 {
            openat(handle.fd, relative, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        }

        func isSameFolder(as other: View) -> Bool { handle === other.handle }
    }

    /// One open descriptor of the folder, closed when the last lookup using it is done.
    fileprivate final class Handle: Sendable {
        let fd: Int32
        let device: UInt64, inode: UInt64

        init?(path: String) {
            let fd = Glibc.open(path, OutboxDirectory.pathOnly | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            var status = stat()
            guard fstat(fd, &status) == 0 else { close(fd); return nil }
            self.fd = fd
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
        }

        deinit { close(fd) }
    }
}
