#if canImport(Glibc)
import Glibc
#endif
import SluiceCore

/// The outbox files that held passes wrote ahead of the pass that publishes their change, each with what it holds,
/// so that pass skips the ones still unchanged (`OutboxPublisher.publishPending(holdingMoving:)`).
///
/// Kept in memory only: after a crash the next pass writes them again, which is where it would have begun anyway.
/// A file counts as unchanged only while its name still shows the file written (same inode and change time):
/// another process's publisher may have written it since, even with bytes that later come back. Beyond that,
/// `publishedVersion` is the published version it was kept under, and a different one (another process published)
/// forgets everything.
struct WrittenAhead {
    private struct Entry {
        var content: [UInt8]
        var inode: UInt64
        var changed: timespec
    }

    private var contents: [String: Entry] = [:]
    private var bytes = 0
    /// Bytes kept at most (paths and contents); beyond them nothing more is written ahead.
    let capacity: Int
    private(set) var publishedVersion: Int64 = -1

    init(capacity: Int) { self.capacity = capacity }

    /// Bytes that may still be kept.
    var room: Int { capacity - bytes }

    /// Forgets everything, and keeps what follows under `publishedVersion`.
    mutating func reset(publishedVersion: Int64) {
        removeAll()
        self.publishedVersion = publishedVersion
    }

    /// Forgets everything; what follows is kept under the same published version.
    mutating func removeAll() {
        if !contents.isEmpty { contents = [:] }
        bytes = 0
    }

    /// This process moved the published version on: what it keeps is still what those files hold.
    mutating func published(upTo version: Int64) { publishedVersion = version }

    /// Whether `output` would write what its file already holds from a pass ahead.
    func holds(_ output: OutboxPublisher.Output) -> Bool {
        guard let (folder, name, content) = Self.target(output), let entry = contents[folder.path + "/" + name],
              entry.content == content, let now = Self.identity(folder, name) else { return false }
        return now.inode == entry.inode && now.changed.tv_sec == entry.changed.tv_sec && now.changed.tv_nsec == entry.changed.tv_nsec
    }

    /// Notes what `output`, just carried out ahead, left in its file.
    mutating func record(_ output: OutboxPublisher.Output) {
        forget(output)
        guard let (folder, name, content) = Self.target(output), let identity = Self.identity(folder, name) else { return }
        let key = folder.path + "/" + name
        contents[key] = Entry(content: content, inode: identity.inode, changed: identity.changed)
        bytes += key.utf8.count + content.count
    }

    /// Forgets the file `output` writes or removes (a pass that publishes is about to write it).
    mutating func forget(_ output: OutboxPublisher.Output) {
        guard !contents.isEmpty else { return }
        let key = switch output {
        case let .write(folder, name, _), let .replace(folder, name, _), let .link(_, folder, name), let .remove(folder, name):
            folder.path + "/" + name
        }
        if let old = contents.removeValue(forKey: key) { bytes -= key.utf8.count + old.content.count }
    }

    /// What keeping `output` costs.
    static func size(of output: OutboxPublisher.Output) -> Int {
        target(output).map { $0.0.path.utf8.count + 1 + $0.1.utf8.count + $0.2.count } ?? 0
    }

    /// The file an output writes and what it leaves there (for a link, the stored bytes' path).
    private static func target(_ output: OutboxPublisher.Output) -> (Directory, String, [UInt8])? {
        switch output {
        case let .write(folder, name, bytes), let .replace(folder, name, bytes): (folder, name, bytes)
        case let .link(from, folder, name): (folder, name, Array(from.utf8))
        case .remove: nil
        }
    }

    /// The inode and change time the name shows now.
    private static func identity(_ folder: Directory, _ name: String) -> (inode: UInt64, changed: timespec)? {
        var info = stat()
        guard fstatat(folder.fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        return (UInt64(info.st_ino), info.st_ctim)
    }
}
