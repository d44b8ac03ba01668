#if canImport(Glibc)
import Glibc
#endif
public import SluiceCore

/// What became of an attempt to claim an inbox entry.
public enum ClaimResult: Sendable {
    /// Ours now; `file` is open on it when it is a regular file.
    case claimed(ClaimedDrop, OpenedEntry)
    /// Still open for writing by someone: left for its close event.
    case busy
    /// Arrived after the moment asked about: left for a later drain.
    case later
    /// Gone (another process claimed it first).
    case gone
}

/// An entry opened without following links; `fd` is -1 for anything that is not a regular file.
public struct OpenedEntry: Sendable {
    public let fd: Int32
    /// Size in bytes when it was opened (regular files).
    public var size: Int = 0
    /// When its inode last changed (its rename into `inbox/`, or its last write), for regular files.
    public var changedAt: Timestamp?
    /// "regular file", "symbolic link", "directory", "FIFO", … for messages.
    public let typeDescription: String
    public var isRegular: Bool { fd >= 0 }

    /// Opens `name` in `dir` without following a symlink and without blocking on a FIFO.
    static func open(_ name: String, in dir: Directory) -> OpenedEntry? {
        let fd = retryingEINTR { openat(dir.fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) }
        if fd < 0 {
            switch errno {
            case ENOENT: return nil
            case ELOOP: return OpenedEntry(fd: -1, typeDescription: "symbolic link")
            case ENXIO: return OpenedEntry(fd: -1, typeDescription: "socket")
            default: return OpenedEntry(fd: -1, typeDescription: "unreadable entry (\(String(cString: strerror(errno))))")
            }
        }
        var st = stat()
        fstat(fd, &st)
        let type: String
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            return OpenedEntry(fd: fd, size: Int(st.st_size), changedAt: Timestamp(st.st_ctim), typeDescription: "regular file")
        case S_IFDIR: type = "directory"
        case S_IFIFO: type = "FIFO"
        case S_IFCHR, S_IFBLK: type = "device"
        case S_IFSOCK: type = "socket"
        default: type = "special file"
        }
        close(fd)
        return OpenedEntry(fd: -1, typeDescription: type)
    }
}

/// Claims inbox entries by renaming them into this process's work folder: one rename, one winner.
public struct InboxClaimer: Sendable {
    let inbox: Directory
    let work: WorkDirectory
    /// Seconds another user's file must rest unchanged before it is taken (see `isOpenForWriting`).
    let quietPeriod: Double

    public init(inbox: Directory, work: WorkDirectory, quietPeriod: Double = 2) {
        self.inbox = inbox
        self.work = work
        self.quietPeriod = quietPeriod
    }

    /// Claims `name` under a fresh request id; with `arrivedBy`, only if it arrived (was renamed in, or last
    /// written) no later than that.
    public func claim(_ name: String, arrivedBy: Timestamp? = nil) -> ClaimResult {
        guard let entry = OpenedEntry.open(name, in: inbox) else { return .gone }
        if let arrivedBy, let changedAt = entry.changedAt, changedAt > arrivedBy {
            close(entry.fd)
            return .later
        }
        if entry.isRegular && isOpenForWriting(entry.fd) {
            close(entry.fd)
            return .busy
        }
        let drop = ClaimedDrop(requestID: Identifier.make(), name: name)
        let target = drop.claimedPath
        if let folder = drop.folder {
            if mkdirat(work.directory.fd, folder, 0o700) != 0 && errno != EEXIST {
                if entry.isRegular { close(entry.fd) }
                return .busy
            }
        }
        guard renameat(inbox.fd, name, work.directory.fd, target) == 0 else {
            if entry.isRegular { close(entry.fd) }
            if let folder = drop.folder { unlinkat(work.directory.fd, folder, AT_REMOVEDIR) }
            return .gone
        }
        return .claimed(drop, entry)
    }

    /// Opens an already-claimed drop (after a restart) for reading.
    public func reopen(_ drop: ClaimedDrop) -> OpenedEntry? { OpenedEntry.open(drop.claimedPath, in: work.directory) }

    /// A read lease is refused (EAGAIN) while any process has the file open for writing: a writer copying in place
    /// has not closed it yet. Where no lease is granted at all (another user's file without CAP_LEASE, a file system
    /// without leases), a file written within the last `quietPeriod` seconds counts as still being written, and is
    /// taken once it rests (at once when its time is in the future: a clock that disagrees must not hold it forever).
    private func isOpenForWriting(_ fd: Int32) -> Bool {
        let F_SETLEASE: Int32 = 1024 // F_LINUX_SPECIFIC_BASE + 0; Glibc hides it without _GNU_SOURCE

        if fcntl(fd, F_SETLEASE, F_RDLCK) == 0 {
            fcntl(fd, F_SETLEASE, F_UNLCK)
            return false
        }
        if errno == EAGAIN { return true }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return false }
        let resting = Timestamp.now().seconds - Timestamp(st.st_mtim).seconds
        return resting >= 0 && resting < quietPeriod
    }
}
