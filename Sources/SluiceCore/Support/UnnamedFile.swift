#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Files made without a name (`O_TMPFILE`) and named once whole, so a name never shows a partial file, and a
/// writer that dies first leaves nothing behind. Where unnamed files cannot be made or named (a file system
/// without them, no `/proc` and no `AT_EMPTY_PATH`), `open` fails with an errno that `isUnsupported` accepts, and
/// callers write a named temporary and rename it instead.
public enum UnnamedFile {
    /// `__O_TMPFILE`, which Glibc's module leaves out (the same on every architecture; `O_DIRECTORY` is not).
    private static let temporaryFileFlag: Int32 = 0o20_000_000
    /// `AT_EMPTY_PATH`, which Glibc's module leaves out.
    private static let emptyPathFlag: Int32 = 0x1000

    /// Opens an unnamed file in the directory `directoryFD` (with `path`: in the directory `path`, relative to it),
    /// for writing, and for reading too with `readable`; -1 and errno on failure.
    public static func open(in directoryFD: Int32, _ path: String = ".", readable: Bool = false) -> Int32 {
        let fd = retryingEINTR {
            openat(directoryFD, path, temporaryFileFlag | O_DIRECTORY | (readable ? O_RDWR : O_WRONLY) | O_CLOEXEC, 0o644)
        }
        guard fd >= 0, way() == .none else { return fd }
        close(fd)
        errno = EOPNOTSUPP
        return -1
    }

    /// Whether `open` failed because unnamed files cannot be used here.
    public static func isUnsupported(_ error: Int32) -> Bool { error == EOPNOTSUPP || error == EISDIR || error == EINVAL }

    /// Gives the unnamed file `fd` the name `name` in `directoryFD` (or the path `name`, with `AT_FDCWD`); false and
    /// errno on failure, `EEXIST` when the name is taken (a link never replaces).
    ///
    /// `linkat(fd, "", …, AT_EMPTY_PATH)` names it directly where the kernel allows it (with CAP_DAC_READ_SEARCH,
    /// as root has); elsewhere it refuses with `ENOENT`, and the file is named through `/proc/self/fd/<fd>`, which
    /// costs a path walk through procfs (about 10 % of making a small file).
    public static func link(_ fd: Int32, in directoryFD: Int32, as name: String) -> Bool {
        switch way() {
        case .emptyPath:
            if linkat(fd, "", directoryFD, name, emptyPathFlag) == 0 { return true }
            guard errno == ENOENT else { return false }
            // Refused for want of the capability, or the directory is gone: the other way tells which.
            if linkThroughProc(fd, directoryFD, name) { ways.store(Way.proc.rawValue, ordering: .relaxed); return true }
            let error = errno
            if error != ENOENT && error != ENOTDIR { ways.store(Way.proc.rawValue, ordering: .relaxed) } // it reached the name
            errno = error
            return false
        case .proc:
            return linkThroughProc(fd, directoryFD, name)
        case .none, .undecided:
            errno = EOPNOTSUPP
            return false
        }
    }

    private static func linkThroughProc(_ fd: Int32, _ directoryFD: Int32, _ name: String) -> Bool {
        linkat(AT_FDCWD, "/proc/self/fd/\(fd)", directoryFD, name, AT_SYMLINK_FOLLOW) == 0
    }

    enum Way: Int { case undecided, emptyPath, proc, none }
    private static let ways = Atomic<Int>(Way.undecided.rawValue)

    /// Sets the way, for tests of each (`undecided` decides again).
    static func use(_ way: Way) { ways.store(way.rawValue, ordering: .relaxed) }

    /// How unnamed files are named in this process: tried with `AT_EMPTY_PATH` first while `/proc` is there to fall
    /// back on; without `/proc`, `AT_EMPTY_PATH` is probed once (an unnamed file linked and unlinked in `/tmp`), and
    /// where it fails too, unnamed files are not used at all.
    private static func way() -> Way {
        if let way = Way(rawValue: ways.load(ordering: .relaxed)), way != .undecided { return way }
        var decided = Way.emptyPath
        if access("/proc/self/fd", X_OK) != 0 {
            decided = .none
            let probe = "/tmp/.sluice-link-probe-\(getpid())"
            let fd = openat(AT_FDCWD, "/tmp", temporaryFileFlag | O_DIRECTORY | O_WRONLY | O_CLOEXEC, 0o600)
            if fd >= 0 {
                if linkat(fd, "", AT_FDCWD, probe, emptyPathFlag) == 0 { decided = .emptyPath; unlink(probe) }
                close(fd)
            }
        }
        ways.store(decided.rawValue, ordering: .relaxed)
        return decided
    }
}
