/// A stored or to-be-downloaded file (seed 000's File, seed 001's file-server entry).
public struct FileRecord: Sendable, Equatable {
    public enum Status: String, Sendable { case pending, downloading, ready, error }

    public var id: String
    /// Listing order; assigned by the catalogue on insert and never reused.
    public var seq: Int64
    public var url: String?
    public var name: String
    public var fileExtension: String
    public var comment: String
    public var mime: String?
    /// The `upload/<kind>/` folder, from the sniffed bytes; nil until the bytes are stored.
    public var kind: ContentKind?
    public var size: Int
    public var addedAt: Timestamp
    public var downloadTime: Double?
    public var status: Status
    public var error: String?
    /// True once a user has renamed the file (`file.update` with a `name`): from then on no stage sets its name.
    /// Kept in the catalogue, never published.
    public var nameSetByUser: Bool
    /// Width and height, when the bytes are an image whose header says them. Kept in the catalogue, never published.
    public var imageSize: ImageHeader?
    /// True when the bytes are an image that stops before its end (`ImageTrailer`): such a file is no photo. Kept in
    /// the catalogue, never published.
    public var imageTruncated: Bool
    /// When it last changed: a rename, a comment, its status or its bytes (seed 001). `addedAt` stays its creation.
    public var updatedAt: Timestamp

    public init(id: String, seq: Int64 = 0, url: String?, name: String, fileExtension: String = "", comment: String = "",
                mime: String? = nil, kind: ContentKind? = nil, size: Int = 0, addedAt: Timestamp, downloadTime: Double? = nil,
                status: Status, error: String? = nil, nameSetByUser: Bool = false, imageSize: ImageHeader? = nil,
                imageTruncated: Bool = false, updatedAt: Timestamp? = nil) {
        self.id = id; self.seq = seq; self.url = url; self.name = name; self.fileExtension = fileExtension
        self.comment = comment; self.mime = mime; self.kind = kind; self.size = size; self.addedAt = addedAt
        self.downloadTime = downloadTime; self.status = status; self.error = error; self.nameSetByUser = nameSetByUser
        self.imageSize = imageSize; self.imageTruncated = imageTruncated; self.updatedAt = updatedAt ?? addedAt
    }

    /// Where the bytes live, relative to the root; nil while there are none.
    public var storedPath: String? {
        guard let kind else { return nil }
        return RootLayout.storedFile(kind: kind, id: id, extension: fileExtension)
    }

    /// The published JSON object (SPEC §5).
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.string(id)
        json.key("url"); json.optionalString(url)
        json.key("name"); json.string(name)
        json.key("extension"); json.string(fileExtension)
        json.key("comment"); json.string(comment)
        json.key("mime"); json.optionalString(mime)
        json.key("size"); json.int(size)
        json.key("added_at"); json.timestamp(addedAt)
        json.key("updated_at"); json.timestamp(updatedAt)
        json.key("download_time"); json.optionalDouble(downloadTime)
        json.key("status"); json.string(status.rawValue)
        json.key("error"); json.optionalString(error)
        json.endObject()
    }

    public var json: [UInt8] {
        var writer = JSONWriter(capacity: 384)
        write(to: &writer)
        return writer.bytes
    }
}
