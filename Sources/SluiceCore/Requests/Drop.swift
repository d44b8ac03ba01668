/// One claimed entry of `inbox/`, read and classified, ready to apply.
public struct Drop: Sendable {
    public enum Content: Sendable {
        /// A request file's parsed document.
        case document(JSONValue)
        /// A plain file to store, with the type its bytes show (and, for an image, the size its header says and
        /// whether its bytes stop before the image's end).
        case upload(SniffedType, size: Int, imageSize: ImageHeader? = nil, imageTruncated: Bool = false)
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

    /// For an upload: where its bytes are stored (the File's id is the request's, so applying the drop again after a
    /// crash names the same path).
    public var uploadPath: String? {
        guard case let .upload(type, _, _, _) = content else { return nil }
        return RootLayout.storedFile(kind: type.kind, id: requestID, extension: Drop.uploadExtension(name: name, type: type))
    }

    /// The dropped name's extension when it is a safe one, else the sniffed type's.
    static func uploadExtension(name: String, type: SniffedType) -> String {
        FileName.safeExtension(of: name).nonEmpty ?? type.fileExtension
    }
}
