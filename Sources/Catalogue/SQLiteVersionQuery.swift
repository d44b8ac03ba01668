import CSQLite
import SluiceCore
import Synchronization

/// The catalogue's version read on bare read-only connections: `SELECT version FROM clock` as a transaction of its
/// own, without GRDB's pool (a dispatch-queue hand-off per read, where two threads asking at once sleep in the kernel)
/// and without its `BEGIN` and `COMMIT` statements. The reader asks it before every kept listing answer, so this is the
/// whole cost of answering one. Connections are opened as threads ask at once and kept idle between calls (a few).
final class SQLiteVersionQuery: Sendable {
    private let path: String
    private let busyTimeoutMilliseconds: Int32
    private let idle = Mutex<[Connection]>([])
    private static let keptIdle = 8

    init(path: String, busyTimeout: Double) {
        self.path = path
        busyTimeoutMilliseconds = Int32(clamping: Int((busyTimeout * 1000).rounded()))
    }

    /// The version of the newest committed change (0 when none), read in a transaction of its own.
    func currentVersion() throws -> Int64 {
        let connection = try idle.withLock { $0.popLast() } ?? Connection(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        let version = try connection.run()
        idle.withLock { if $0.count < Self.keptIdle { $0.append(connection) } }
        return version
    }

    /// One read-only connection and its prepared query; used by one thread at a time (taken from `idle`).
    private final class Connection: @unchecked Sendable {
        private let query: OpaquePointer

        init(path: String, busyTimeoutMilliseconds: Int32) throws {
            query = try Self.reportingFailure { code, message, capacity in
                sluice_sqlite_integer_query_open(path, "SELECT version FROM clock", busyTimeoutMilliseconds, &code, message, capacity)
            }
        }

        func run() throws -> Int64 {
            var value: Int64 = 0
            _ = try Self.reportingFailure { code, message, capacity -> Bool? in
                code = sluice_sqlite_integer_query_run(query, &value, message, capacity)
                return code == 0 ? true : nil
            }
            return value
        }

        /// `body`'s result, or SQLite's code and message (written by `body` into a buffer on the stack) as the error.
        private static func reportingFailure<T>(_ body: (inout Int32, UnsafeMutablePointer<CChar>, Int32) -> T?) throws -> T {
            try withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
                var code: Int32 = 0
                buffer[0] = 0
                if let result = body(&code, buffer.baseAddress!, Int32(buffer.count)) { return result }
                throw CatalogueError.storage(code: code, message: String(cString: buffer.baseAddress!))
            }
        }

        deinit { sluice_sqlite_integer_query_close(query) }
    }
}
