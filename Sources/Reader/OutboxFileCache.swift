import HTTPTypes
import NIOCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Small outbox files (listing pages, objects, receipts) kept in memory between requests, each under the identity of
/// the version it was read from: device, inode, size, modification and change times. The `lstat` a request makes
/// anyway (`StaticPath`) either names the kept version, whose bytes and validators are answered without opening the
/// file, or another one, which is read (and kept in its place when it may be).
///
/// File times tick coarsely (a few milliseconds), and a freed inode can be given to the next file: two versions
/// written within one tick could look alike. So only a version whose change time is `settled` in the past is kept,
/// and only when `fstat` shows it unchanged after its bytes were read; any later change (a rename over the name, a
/// write in place) gives the name a change time after it. Bounded: files up to `largest` bytes, `budget` bytes in
/// all, counting each buffer's capacity, its path and `overhead` (emptied when it would overflow).
final class OutboxFileCache: Sendable {
    /// Which version of a file: what `stat` tells apart.
    struct Version: Equatable {
        let device: UInt64, inode: UInt64, size: Int
        let modified: timespec, changed: timespec

        init(_ status: stat) {
            device = UInt64(status.st_dev); inode = UInt64(status.st_ino); size = Int(status.st_size)
            modified = status.st_mtim; changed = status.st_ctim
        }

        static func == (a: Version, b: Version) -> Bool {
            a.device == b.device && a.inode == b.inode && a.size == b.size
                && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
                && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
        }
    }

    struct Kept {
        let version: Version
        let bytes: ByteBuffer
        let validators: HTTPCaching.Validators
        /// The headers of its whole answer (a 200 without a range).
        let headers: HTTPFields
    }

    static let largest = 64 << 10
    static let budget = 8 << 20
    /// Bytes a kept file costs beyond its buffer and path: the entry, its validators, the table's slot.
    static let overhead = 256
    /// How long ago a version's change time must be for it to be kept.
    static let settled: Int = 1

    private struct State {
        var files: [String: Kept] = [:]
        var bytes = 0
    }

    private let state = Mutex(State())

    /// The kept bytes of `path` when `status` (a fresh `lstat` of it) names the version they were read from.
    func kept(_ path: String, _ status: stat) -> Kept? {
        guard Int(status.st_size) <= Self.largest, let kept = state.withLock({ $0.files[path] }), kept.version == Version(status) else {
            return nil
        }
        return kept
    }

    /// Keeps `bytes`, read from the version of `path` that `before` (an `fstat` of the open file `fd` before reading)
    /// tells, when that version is settled and still the file's after the read.
    func keep(_ path: String, fd: Int32, before: stat, bytes: ByteBuffer, validators: HTTPCaching.Validators, headers: HTTPFields) {
        guard bytes.readableBytes <= Self.largest else { return }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var after = stat()
        guard Int(before.st_ctim.tv_sec) + Self.settled < Int(now.tv_sec), fstat(fd, &after) == 0, Version(after) == Version(before) else { return }
        let kept = Kept(version: Version(before), bytes: bytes, validators: validators, headers: headers)
        let cost = bytes.capacity + path.utf8.count + Self.overhead
        state.withLock { state in
            if let old = state.files.removeValue(forKey: path) { state.bytes -= old.bytes.capacity + path.utf8.count + Self.overhead }
            if state.bytes + cost > Self.budget { state.files.removeAll(); state.bytes = 0 }
            state.files[path] = kept
            state.bytes += cost
        }
    }
}
