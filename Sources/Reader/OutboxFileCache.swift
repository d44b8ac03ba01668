import NIOCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Small outbox files (listing pages, objects, receipts) kept in memory between requests, each under the identity of
/// the version it was read from: device, inode, size, modification and change times. The `lstat` a request makes
/// anyway (`StaticPath`) either names the kept version, whose bytes and validators are answered without opening the
/// file, or another one, which is read and kept in its place. The outbox replaces a file by renaming a new one over
/// its name (another inode), and a file changed in place has another time, so a kept version is never answered for
/// another. Bounded: files up to `largest` bytes, `budget` bytes in all (emptied when it would overflow).
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
    }

    static let largest = 64 << 10
    static let budget = 8 << 20

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

    /// Keeps `bytes`, read from the version of `path` that `status` (an `fstat` of the open file) tells.
    func keep(_ path: String, _ status: stat, bytes: ByteBuffer, validators: HTTPCaching.Validators) {
        guard bytes.readableBytes <= Self.largest else { return }
        let kept = Kept(version: Version(status), bytes: bytes, validators: validators)
        state.withLock { state in
            if let old = state.files[path] { state.bytes -= old.bytes.readableBytes }
            if state.bytes + bytes.readableBytes > Self.budget { state.files.removeAll(); state.bytes = 0 }
            state.files[path] = kept
            state.bytes += bytes.readableBytes
        }
    }
}
