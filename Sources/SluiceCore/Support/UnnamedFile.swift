#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Files made without a name (`O_TMPFILE`) and named once whole, so a name never shows a partial file, and a
/// writer that dies first leaves nothing behind. File systems without unnamed files refuse `open` with
/// `EOPNOTSUPP`, `EISDIR` or `EINVAL` (`isUnsupported`): their callers write a named temporary and rename it.
public enum UnnamedFile {
    /// `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY`), which Glibc's module leaves out.
    public static let openFlag: Int32 = 0o20_200_000
    /// `AT_EMPTY_PATH`, which Glibc's module leaves out.
    private static let emptyPath: Int32 = 0x1000

    /// Opens an unnamed file in the directory `directoryFD` (with `path`: in the directory `path`, relative to it),
    /// for writing, and for reading too with `readable`; -1 and errno on failure.
    public static func open(in directoryFD: Int32, _ path: String = ".", readable: Bool = false) -> Int32 {
        retryingEINTR { openat(directoryFD, path, openFlag | (readable ? O_RDWR : O_WRONLY) | O_CLOEXEC, 0o644) }
    }

    /// Whether `open` failed because the file system has no unnamed files.
    public static func isUnsupported(_ error: Int32) -> Bool { error == EOPNOTSUPP || error == EISDIR || error == EINVAL }

    /// Gives the unnamed file `fd` the name `name` in `directoryFD` (or the path `name`, with `AT_FDCWD`); false and
    /// errno on failure, `EEXIST` when the name is taken (a link never replaces).
    ///
    /// `linkat(fd, "", …, AT_EMPTY_PATH)` names it directly, where the kernel allows it (with CAP_DAC_READ_SEARCH,
    /// as root has); elsewhere it refuses with `ENOENT`, and the file is named through `/proc/self/fd/<fd>`, which
    /// costs a path walk through procfs (about 10 % of making a small file).
    public static func link(_ fd: Int32, in directoryFD: Int32, as name: String) -> Bool {
        if emptyPathLinks.load(ordering: .relaxed) {
            if linkat(fd, "", directoryFD, name, emptyPath) == 0 { return true }
            guard errno == ENOENT else { return false }
            // Refused for want of the capability, or the directory is gone: the other way tells which.
            if linkat(AT_FDCWD, "/proc/self/fd/\(fd)", directoryFD, name, AT_SYMLINK_FOLLOW) == 0 {
                emptyPathLinks.store(false, ordering: .relaxed)
                return true
            }
            return false
        }
        return linkat(AT_FDCWD, "/proc/self/fd/\(fd)", directoryFD, name, AT_SYMLINK_FOLLOW) == 0
    }

    /// Whether `AT_EMPTY_PATH` links have worked so far in this process.
    private static let emptyPathLinks = Atomic<Bool>(true)
}
