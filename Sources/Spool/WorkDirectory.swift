#if canImport(Glibc)
import Glibc
#endif
public import SluiceCore
import SystemPackage

/// This process's claim folder, `inbox/.work/<owner>/`, locked (flock) for as long as the process lives.
///
/// The lock is what proves an owner alive, for its claims and for the jobs it holds in the catalogue: the kernel
/// releases it on any death, so a folder whose lock can be taken, or an owner with no folder at all, belongs to a
/// process that is gone. A new folder is locked before it gets its name, so no other process's recovery ever sees
/// it unlocked.
public final class WorkDirectory: @unchecked Sendable { // immutable after init; the lock is held by `directory`'s descriptor.
    /// Names this process in the work folder and in the jobs it claims.
    public let owner: String
    public let directory: Directory
    private let parent: Directory
    /// Folders being created: locked under this prefix, then renamed to their owner's name.
    private static let stagingPrefix = ".new-"

    public init(inbox: Directory) throws {
        let parent = try Directory(path: inbox.path + "/" + RootLayout.workFolderInInbox, create: true)
        self.parent = parent
        while true {
            let owner = "\(getpid())-\(Identifier.make().suffix(12))"
            let staging = Self.stagingPrefix + owner
            guard mkdirat(parent.fd, staging, 0o755) == 0 else { throw SystemCallError.current("mkdir", parent.path + "/" + staging) }
            let fd = retryingEINTR { openat(parent.fd, staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
            // Another process's clean-up may remove a staging folder before it is locked: start again under a new name.
            if fd < 0 { if errno == ENOENT { continue }; throw SystemCallError.current("open", parent.path + "/" + staging) }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0, renameat(parent.fd, staging, parent.fd, owner) == 0 else {
                let failure = SystemCallError.current("lock and name", parent.path + "/" + staging)
                close(fd)
                if failure.errno == .noSuchFileOrDirectory || failure.errno == .wouldBlock { continue }
                throw failure
            }
            self.owner = owner
            directory = Directory(adopting: fd, path: parent.path + "/" + owner)
            return
        }
    }

    /// True while `owner`'s process lives (it holds its folder's lock). An owner without a folder is gone.
    public func isAlive(owner: String) -> Bool {
        if owner == self.owner { return true }
        let fd = retryingEINTR { openat(parent.fd, owner, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
        guard fd >= 0 else {
            // Gone (or never a folder): dead. Anything else (no permission, out of descriptors): assume alive.
            return !(errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
        }
        defer { close(fd) }
        return flock(fd, LOCK_EX | LOCK_NB) != 0
    }

    /// Work folders of dead processes, each locked by this process until released. Staging folders that lost their
    /// creator are removed.
    public func deadOwners() throws -> [AbandonedWork] {
        var result: [AbandonedWork] = []
        for entry in try parent.entries(includeHidden: true) where entry.name != owner {
            let fd = retryingEINTR { openat(parent.fd, entry.name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
            guard fd >= 0 else { continue }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { close(fd); continue }
            if entry.name.hasPrefix(Self.stagingPrefix) {
                unlinkat(parent.fd, entry.name, AT_REMOVEDIR) // empty: claims only ever go into named folders
                close(fd)
                continue
            }
            result.append(AbandonedWork(owner: entry.name, directory: Directory(adopting: fd, path: parent.path + "/" + entry.name),
                                        parent: parent))
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
