/// What a stage (the download stage today; image tasks later) may change on a File: its status and what its bytes
/// say. The user's fields, `name` and `comment`, are not among them, so a stage's late result never undoes a rename
/// or a comment made while it ran.
public struct FileStageUpdate: Sendable, Equatable {
    public var status: FileRecord.Status
    public var error: String?
    /// The stored bytes, when this update stores some.
    public var stored: StoredBytes?
    /// The name the source suggests (Content-Disposition, the URL's path): applied only while no user has renamed
    /// the file.
    public var sourceName: String?

    public init(status: FileRecord.Status, error: String? = nil, stored: StoredBytes? = nil, sourceName: String? = nil) {
        self.status = status; self.error = error; self.stored = stored; self.sourceName = sourceName
    }

    /// Applies the update to `file` by the ownership rule above (the in-memory catalogue's way; SQLite's is one UPDATE).
    public func apply(to file: inout FileRecord) {
        file.status = status
        file.error = error
        if let stored {
            file.kind = stored.kind
            file.mime = stored.mime
            file.fileExtension = stored.fileExtension
            file.size = stored.size
            file.downloadTime = stored.downloadTime
            file.imageSize = stored.imageSize
            file.imageTruncated = stored.imageTruncated
        }
        if let sourceName, !file.nameSetByUser { file.name = sourceName }
    }
}

/// Where and what a File's bytes are, as the stage that stored them found them.
public struct StoredBytes: Sendable, Equatable {
    public var kind: ContentKind
    public var mime: String
    /// With its dot, or empty; part of the stored path (`RootLayout.storedFile`).
    public var fileExtension: String
    public var size: Int
    /// Seconds the transfer took, for downloads.
    public var downloadTime: Double?
    /// Width and height, when the bytes are an image whose header says them.
    public var imageSize: ImageHeader?
    /// True when the bytes are an image that stops before its end.
    public var imageTruncated: Bool

    public init(kind: ContentKind, mime: String, fileExtension: String, size: Int, downloadTime: Double? = nil,
                imageSize: ImageHeader? = nil, imageTruncated: Bool = false) {
        self.kind = kind; self.mime = mime; self.fileExtension = fileExtension; self.size = size; self.downloadTime = downloadTime
        self.imageSize = imageSize; self.imageTruncated = imageTruncated
    }
}
