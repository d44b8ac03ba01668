#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// Whether a loop's failed pass is worth trying again, or must end the service (and the process, with the reason).
public enum PassFailure {
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

/// How long a loop waits before trying a failed pass again: 0.1 s, doubling to 30 s; back to none after a success.
public struct RetryBackoff: Sendable {
    public private(set) var failures = 0

    public init() {}

    public mutating func failed() { failures += 1 }
    public mutating func succeeded() { failures = 0 }

    /// Seconds to wait before the next attempt; nil when the last pass succeeded.
    public var delay: Double? { failures == 0 ? nil : min(30, 0.1 * Double(1 << min(failures - 1, 9))) }
}
