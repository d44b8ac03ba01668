import Foundation
import SluiceCore
import Spool
import Testing
import TestSupport

@Suite struct InboxClaimerTests {
    func setUp() throws -> (TemporaryRoot, Directory, WorkDirectory) {
        let root = TemporaryRoot("spool")
        let inbox = try Directory(path: root.path + "/inbox", create: true)
        return (root, inbox, try WorkDirectory(inbox: inbox))
    }

    @Test func claimingIsARenameThatOnlyOneWins() throws {
        let (root, inbox, work) = try setUp()
        defer { root.remove() }
        let other = try WorkDirectory(inbox: inbox)
        try root.drop("a.json", json: "{}")
        guard case let .claimed(claim, entry) = InboxClaimer(inbox: inbox, work: work).claim("a.json") else {
            Issue.record("first claim failed"); return
        }
        close(entry.fd)
        #expect(claim.name == "a.json")
        guard case .gone = InboxClaimer(inbox: inbox, work: other).claim("a.json") else { Issue.record("claimed twice"); return }
        #expect(FileManager.default.fileExists(atPath: work.directory.path + "/" + claim.claimedPath))
    }

    @Test func aFileStillOpenForWritingIsLeftForItsCloseEvent() throws {
        let (root, inbox, work) = try setUp()
        defer { root.remove() }
        let path = root.path + "/inbox/copying.bin"
        let writer = open(path, O_WRONLY | O_CREAT, 0o644)
        #expect(writer >= 0)
        _ = write(writer, "partial", 7)
        let claimer = InboxClaimer(inbox: inbox, work: work)
        guard case .busy = claimer.claim("copying.bin") else { Issue.record("took a file still being written"); close(writer); return }
        close(writer)
        guard case let .claimed(_, entry) = claimer.claim("copying.bin") else { Issue.record("not taken once closed"); return }
        close(entry.fd)
    }

    @Test func longNamesAreClaimedIntoAFolder() throws {
        let (root, inbox, work) = try setUp()
        defer { root.remove() }
        let name = String(repeating: "l", count: 240) + ".txt"
        try root.drop(name, Array("x".utf8))
        guard case let .claimed(claim, entry) = InboxClaimer(inbox: inbox, work: work).claim(name) else { Issue.record(); return }
        close(entry.fd)
        #expect(claim.claimedPath == claim.requestID + ".d/" + name)
        #expect(try work.ownClaims() == [claim], "a restart finds it again, with its full name")
    }

    @Test func aDeadProcessesClaimsAreAdoptedOnce() throws {
        let (root, inbox, work) = try setUp()
        defer { root.remove() }
        // A process that died: its folder exists but nobody holds its lock.
        let deadOwner = "999999-deadbeef"
        let deadPath = root.path + "/inbox/.work/" + deadOwner
        try FileManager.default.createDirectory(atPath: deadPath, withIntermediateDirectories: true)
        let claim = ClaimedDrop(requestID: Identifier.make(), name: "left behind.json")
        try Data("{}".utf8).write(to: URL(fileURLWithPath: deadPath + "/" + claim.claimedPath))
        let abandoned = try work.deadOwners()
        #expect(abandoned.map(\.owner) == [deadOwner])
        #expect(try abandoned[0].adopt(into: work) == [claim])
        #expect(!FileManager.default.fileExists(atPath: deadPath))
        #expect(try work.ownClaims() == [claim])
        // A live process's folder is never adopted.
        let live = try WorkDirectory(inbox: inbox)
        #expect(try work.deadOwners().map(\.owner).contains(live.owner) == false)
    }

    @Test func anOwnerIsAliveExactlyWhileItHoldsItsFolderLock() throws {
        let (root, inbox, work) = try setUp()
        defer { root.remove() }
        var other: WorkDirectory? = try WorkDirectory(inbox: inbox)
        let otherOwner = other!.owner
        #expect(work.isAlive(owner: work.owner))
        #expect(work.isAlive(owner: otherOwner), "a live process's lock is held")
        #expect(root.list("inbox/.work").sorted() == [work.owner, otherOwner].sorted(), "created under its final name, locked")
        other = nil // its descriptor closes: as if the process died
        #expect(!work.isAlive(owner: otherOwner), "a free lock: dead")
        #expect(!work.isAlive(owner: "12345-nofolder"), "no folder at all: dead")
        // A folder left half-made (a crash between mkdir and the rename) is cleared, not mistaken for an owner.
        try FileManager.default.createDirectory(atPath: root.path + "/inbox/.work/.new-999-abc", withIntermediateDirectories: false)
        #expect(try work.deadOwners().map(\.owner) == [otherOwner])
        #expect(!root.list("inbox/.work").contains(".new-999-abc"))
    }

    @Test func dropReaderRefusesOversizedRequestsUnread() throws {
        let (root, inbox, work) = try setUp()
        defer { root.remove() }
        try root.drop("big.json", [UInt8](repeating: 0x20, count: 5000))
        var limits = Limits()
        limits.maxRequestBytes = 4096
        guard case let .claimed(claim, entry) = InboxClaimer(inbox: inbox, work: work).claim("big.json") else { Issue.record(); return }
        let drop = DropReader(limits: limits).read(claim, entry, receivedAt: .now())
        guard case let .refused(failure) = drop.content else { Issue.record(); return }
        #expect(failure.status == 413)
        #expect(failure.description.contains("5000 bytes; the limit is 4096"))
    }
}
