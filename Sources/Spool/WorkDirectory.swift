#if canImport(Glibc)
import Glibc
#endif
public import SluiceCore

/// This process's claim folder, `inbox/.work/<owner>/`, locked (flock) for as long as the process lives.
///
/// A folder whose lock can be taken belongs to a process that died: its claims are adopted and finished.
public final class WorkDirectory: @unchecked Sendable { // immutable after init; the lock is held by the open descriptor.
    /// Names this process in the work folder and in the jobs it claims.
    public let owner: String
    public let directory: Directory
    private let parent: Directory

    public init(inbox: Directory) throws {
        let parentPath = inbox.path + "/.work"
        parent = try Directory(path: parentPath, create: true)
        owner = "\(getpid())-\(Identifier.make().suffix(12))"
        directory = try Directory(path: parentPath + "/" + owner, create: true)
        guard flock(directory.fd, LOCK_EX | LOCK_NB) == 0 else {
            throw SystemCallError(errno: errno, "lock work folder", directory.path)
        }
    }

    /// Work folders of dead processes, each locked by this process until released.
    public func deadOwners() throws -> [AbandonedWork] {
        var result: [AbandonedWork] = []
        for entry in try parent.entries(includeHidden: true) where entry.name != owner {
            guard let dir = try? Directory(path: parent.path + "/" + entry.name) else { continue }
            guard flock(dir.fd, LOCK_EX | LOCK_NB) == 0 else { continue }
            result.append(AbandonedWork(owner: entry.name, directory: dir, parent: parent))
        }
        return result
    }

    /// Removes this process's folder if it is empty (a clean stop); a folder with claims stays for recovery.
    public func removeIfEmpty() { unlinkat(parent.fd, owner, AT_REMOVEDIR) }

    /// The claims in this process's own folder (left by an earlier pass that failed midway).
    public func ownClaims() throws -> [ClaimedDrop] {
        try directory.entries(includeHidden: true).compactMap { ClaimedDrop.resolve(entry: $0.name, in: directory) }
    }
}

/// A dead process's work folder, locked by us: move its claims into ours, then remove it.
public struct AbandonedWork: Sendable {
    public let owner: String
    let directory: Directory
    let parent: Directory

    /// Moves every claim into `work` and removes the folder; returns the adopted claims.
    public func adopt(into work: WorkDirectory) throws -> [ClaimedDrop] {
        var adopted: [ClaimedDrop] = []
        for entry in try directory.entries(includeHidden: true) {
            guard let claim = ClaimedDrop.resolve(entry: entry.name, in: directory) else { continue }
            if renameat(directory.fd, entry.name, work.directory.fd, entry.name) == 0 { adopted.append(claim) }
        }
        unlinkat(parent.fd, owner, AT_REMOVEDIR)
        return adopted
    }
}
