import Foundation
@testable import SluiceCore
import Testing

/// `Directory.writeAtomically` in each of its ways: an unnamed file linked in (with `AT_EMPTY_PATH` or through
/// `/proc`), a taken name replaced through a temporary, a stale temporary of the same tag, and a named temporary
/// where unnamed files cannot be used. Serialized: the way is process-wide.
@Suite(.serialized) struct DirectoryWriteTests {
    func folder() throws -> (Directory, String) {
        let path = NSTemporaryDirectory() + "sluice-directory-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        return (try Directory(path: path, create: true), path)
    }

    func contents(_ path: String) -> String? { (try? String(contentsOfFile: path, encoding: .utf8)) }

    func inode(_ path: String) -> UInt64? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    @Test(arguments: [UnnamedFile.Way.emptyPath, .proc, .none])
    func writesNewAndTakenNamesWholeAndLeavesNoTemporary(way: UnnamedFile.Way) throws {
        UnnamedFile.use(way)
        defer { UnnamedFile.use(.undecided) }
        let (dir, path) = try folder()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try dir.writeAtomically("a.json", Array("one".utf8), tempTag: "\(getpid())-t")
        #expect(contents(path + "/a.json") == "one")
        let first = inode(path + "/a.json")
        try dir.writeAtomically("a.json", Array("two".utf8), tempTag: "\(getpid())-t")
        #expect(contents(path + "/a.json") == "two")
        #expect(inode(path + "/a.json") != first, "a new file replaced the old one whole")
        try dir.writeAtomically("b.json", Array("three".utf8), tempTag: "\(getpid())-t", replacing: true)
        #expect(contents(path + "/b.json") == "three", "replacing a name that does not exist yet works too")
        // A temporary of the same tag left by a write that failed between its link and its rename.
        FileManager.default.createFile(atPath: path + "/.tmp-\(getpid())-t", contents: Data("stale".utf8))
        try dir.writeAtomically("a.json", Array("four".utf8), tempTag: "\(getpid())-t")
        #expect(contents(path + "/a.json") == "four")
        #expect(try FileManager.default.contentsOfDirectory(atPath: path).sorted() == ["a.json", "b.json"], "no temporary left")
    }

    @Test func withoutUnnamedFilesOpenSaysSoAndLinkRefuses() throws {
        UnnamedFile.use(.none)
        defer { UnnamedFile.use(.undecided) }
        let (_, path) = try folder()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = UnnamedFile.open(in: AT_FDCWD, path)
        #expect(fd < 0 && UnnamedFile.isUnsupported(errno))
    }
}
