import CLinux
import Foundation
import SluiceCore
import SystemPackage

/// Drops bytes into `inbox/` the safe way: written under a hidden name, then linked in under the drop's name, never
/// replacing a waiting drop of the same name (that one is waited for, up to 30 s).
enum InboxDrop {
    /// Writes `bytes` under a hidden name in `inbox`, sets `attributes` on it (extended attributes, such as
    /// `UploadAttributes`), then gives it `name`: the drop appears whole, with its attributes, or not at all.
    static func put(_ bytes: Data, as name: String, in inbox: String, attributes: [(key: String, value: String)] = []) throws {
        let temp = inbox + "/.submit-\(Identifier.make())"
        guard FileManager.default.createFile(atPath: temp, contents: bytes) else {
            throw CommandFailure("cannot write into \(inbox): check that it exists and is writable")
        }
        defer { unlink(temp) }
        for (key, value) in attributes {
            let utf8 = Array(value.utf8)
            guard utf8.withUnsafeBytes({ setxattr(temp, key, $0.baseAddress, $0.count, 0) }) == 0 else {
                let error = SystemCallError.current("setxattr", temp).errno
                switch error {
                case .notSupported:
                    throw CommandFailure("cannot give the drop its \(key): the file system of \(inbox) keeps no user extended "
                                         + "attributes (ext4, xfs, btrfs do, and tmpfs from Linux 6.6)")
                case .noSpace, .argListTooLong, .outOfRange:
                    throw CommandFailure("cannot give the drop its \(key): \(utf8.count) bytes are more than the file system of "
                                         + "\(inbox) holds in one file's attributes (ext4: about 4,000 bytes in all); shorten it")
                default:
                    throw CommandFailure("cannot give the drop its \(key): \(error)")
                }
            }
        }
        // link() refuses to replace: an earlier drop of the same name is never lost.
        var waited = 0.0
        while link(temp, inbox + "/" + name) != 0 {
            guard errno == EEXIST else {
                throw CommandFailure("cannot drop \(name) into \(inbox): \(SystemCallError.current("link", name).errno)")
            }
            guard waited < 30 else {
                throw CommandFailure("cannot drop \(name): a drop of that name has waited in \(inbox) for 30 s. "
                                     + "Start `sluice watch` or `sluice run` to take it, or submit under another name.")
            }
            usleep(50_000)
            waited += 0.05
        }
    }
}
