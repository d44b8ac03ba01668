/// One claimed entry of `inbox/`, read and classified, ready to apply.
public struct Drop: Sendable {
    public enum Content: Sendable {
        /// A request file's parsed document.
        case document(JSONValue)
        /// A plain file to store.
        case upload(Upload)
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
        guard case let .upload(upload) = content else { return nil }
        return RootLayout.storedFile(kind: upload.type.kind, id: requestID, extension: uploadExtension(upload))
    }

    /// The extension of the name given with the upload when it has a safe one, else the dropped name's, else the
    /// sniffed type's (a given name without one, seed 001's "subka", keeps the dropped file's ".pdf").
    func uploadExtension(_ upload: Upload) -> String {
        upload.name.flatMap { FileName.safeExtension(of: $0).nonEmpty } ?? FileName.safeExtension(of: name).nonEmpty
            ?? upload.type.fileExtension
    }
}

/// A plain file dropped into `inbox/`, as its bytes and attributes show it.
public struct Upload: Sendable {
    /// The type its bytes show.
    public var type: SniffedType
    public var size: Int
    /// For an image: the size its header says, and whether its bytes stop before the image's end.
    public var imageSize: ImageHeader?
    public var imageTruncated: Bool
    /// The name and comment given with it (`UploadAttributes`), already checked by `FileFields`.
    public var name: String?
    public var comment: String?

    public init(_ type: SniffedType, size: Int, imageSize: ImageHeader? = nil, imageTruncated: Bool = false,
                name: String? = nil, comment: String? = nil) {
        self.type = type; self.size = size; self.imageSize = imageSize; self.imageTruncated = imageTruncated
        self.name = name; self.comment = comment
    }
}
