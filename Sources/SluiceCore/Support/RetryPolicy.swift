#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// Which failures a loop tries again after a back-off (`RetryBackoff`), and which end its service (and the process,
/// with the reason).
public enum RetryPolicy {
    /// True for what time can mend: a full disk, a busy or briefly failing catalogue, too many open files, an injected
    /// fault. False for what only a person can: a corrupt, read-only or foreign catalogue, a root that is gone, not
    /// a folder, or not writable.
    public static func isRetryable(_ error: any Error) -> Bool {
        switch error {
        case let CatalogueError.storage(code, _):
            let primary = code & 0xFF
            return ![SQLITE_ERROR_CODE, SQLITE_PERM_CODE, SQLITE_READONLY_CODE, SQLITE_CORRUPT_CODE, SQLITE_MISMATCH_CODE,
                     SQLITE_AUTH_CODE, SQLITE_NOTADB_CODE].contains(primary)
        case let error as SystemCallError:
            return ![Errno.noSuchFileOrDirectory, .notDirectory, .permissionDenied, .notPermitted, .readOnlyFileSystem,
                     .tooManySymbolicLinkLevels, .badFileDescriptor].contains(error.errno)
        default:
            return true
        }
    }

    // SQLite's primary result codes (sqlite3.h), without importing SQLite here.
    private static let SQLITE_ERROR_CODE: Int32 = 1
    private static let SQLITE_PERM_CODE: Int32 = 3
    private static let SQLITE_READONLY_CODE: Int32 = 8
    private static let SQLITE_CORRUPT_CODE: Int32 = 11
    private static let SQLITE_MISMATCH_CODE: Int32 = 20
    private static let SQLITE_AUTH_CODE: Int32 = 23
    private static let SQLITE_NOTADB_CODE: Int32 = 26
}
