/// One claimed entry of `inbox/`, read and classified, ready to apply.
public struct Drop: Sendable {
    public enum Content: Sendable {
        /// A request file's parsed document.
        case document(JSONValue)
        /// A plain file to store, with the type its bytes show.
        case upload(SniffedType, size: Int)
        /// Refused before it could be applied (unreadable, too large, not a regular file).
        case refused(RequestFailure)
    }

    public var requestID: String
    /// The name it was dropped under.
    public var name: String
    public var receivedAt: Timestamp
    public var content: Content

    public init(requestID: String, name: String, receivedAt: Timestamp, content: Content) {
        self.requestID = requestID; self.name = name; self.receivedAt = receivedAt; self.content = content
    }

    /// Request files are `*.json`; every other regular file is an upload.
    public static func isRequestFile(_ name: String) -> Bool { name.hasSuffix(".json") }

    /// For an upload: where its bytes are stored, `upload/<kind>/<request id><ext>` (the File's id is the
    /// request's, so applying the drop again after a crash names the same path).
    public var uploadPath: String? {
        guard case let .upload(type, _) = content else { return nil }
        return "upload/\(type.kind.rawValue)/\(requestID)\(Drop.uploadExtension(name: name, type: type))"
    }

    /// The dropped name's extension when it is a safe one, else the sniffed type's.
    static func uploadExtension(name: String, type: SniffedType) -> String {
        FileName.safeExtension(of: name).nonEmpty ?? type.fileExtension
    }

    /// Where processed request files are kept, relative to the root.
    public static let doneFolder = "inbox/.done"
    /// Where request files refused whole (unreadable, too large, not a request) are kept, with a `.error` note.
    public static let rejectedFolder = "inbox/.rejected"

    /// `<request id>-<name>`: the name a drop has while claimed and once archived; `<request id>` alone when too long.
    public static func claimedName(for name: String, requestID: String) -> String {
        let candidate = requestID + "-" + name
        return candidate.utf8.count <= 255 ? candidate : requestID
    }

    /// `batch.json` → `batch.json`; `cat.jpg` → `cat.jpg.json`; a name too long for that → `<request id>.json`.
    public static func receiptName(for name: String, requestID: String) -> String {
        let candidate = isRequestFile(name) ? name : name + ".json"
        return candidate.utf8.count <= 255 ? candidate : requestID + ".json"
    }
}
