#if canImport(Glibc)
import Glibc
#endif
public import SluiceCore

/// A drop this process has claimed: renamed into its work folder under a name that carries the request id.
///
/// The claimed name is `<request id>-<name>`, or, when that would be longer than a file name may be,
/// a folder `<request id>.d/` holding the file under its own name.
public struct ClaimedDrop: Sendable, Equatable {
    public let requestID: String
    /// The name it was dropped under.
    public let name: String

    public init(requestID: String, name: String) {
        self.requestID = requestID
        self.name = name
    }

    /// Parses a work-folder entry name; nil for anything else.
    public init?(claimedName: String) {
        let utf8 = Array(claimedName.utf8)
        guard utf8.count > 36 else { return nil }
        let id = String(decoding: utf8[..<36], as: UTF8.self)
        guard Identifier.isValid(id) else { return nil }
        let rest = String(decoding: utf8[36...], as: UTF8.self)
        if rest.hasPrefix("-") { self.init(requestID: id, name: String(rest.dropFirst())); return }
        if rest.hasPrefix(".d/") { self.init(requestID: id, name: String(rest.dropFirst(3))); return }
        return nil
    }

    /// The claim a work-folder entry holds: `<id>-<name>` directly, or the one file inside `<id>.d/`.
    /// An empty `<id>.d/` (a crash between mkdir and rename) is removed.
    static func resolve(entry: String, in folder: Directory) -> ClaimedDrop? {
        if let drop = ClaimedDrop(claimedName: entry) { return drop }
        guard entry.hasSuffix(".d"), entry.utf8.count == 38 else { return nil }
        let inner = (try? Directory(path: folder.path + "/" + entry).entries(includeHidden: true)) ?? []
        guard let child = inner.first else {
            unlinkat(folder.fd, entry, AT_REMOVEDIR)
            return nil
        }
        return ClaimedDrop(claimedName: entry + "/" + child.name)
    }

    /// True when `<id>-<name>` fits in one file name.
    var fitsInOneName: Bool { RootLayout.taggedName(name, requestID: requestID) != nil }

    /// The path of the claimed file relative to the work folder: `RootLayout.taggedName`, or `<id>.d/<name>`.
    public var claimedPath: String { folder.map { $0 + "/" + name } ?? requestID + "-" + name }

    /// `<id>.d`, the folder holding a claim whose name is too long to carry its request id; nil for the others.
    public var folder: String? { fitsInOneName ? nil : requestID + ".d" }
}
