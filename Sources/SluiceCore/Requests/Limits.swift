/// The configurable caps on what a drop may ask for.
public struct Limits: Sendable {
    /// Largest request file read, in bytes (413 above it).
    public var maxRequestBytes: Int = 16 << 20
    /// Most URLs in one `download` request.
    public var maxURLs: Int = 1000
    /// Most URLs in one request file, across the elements of a batch.
    public var maxURLsPerFile: Int = 10_000
    /// Most pet ids one request file may name for deletion, across its batch (seed 004's bulk delete).
    public var maxDeleteIDsPerFile: Int = 100_000
    /// Most elements in one batch file (a batch of 90,000 pets is one request file).
    public var maxBatch: Int = 100_000
    /// Longest URL accepted, in bytes.
    public var maxURLBytes: Int = 8192
    /// Longest file name, in bytes (a file-system name's limit).
    public var maxNameBytes: Int = 255
    /// Longest comment, in bytes.
    public var maxCommentBytes: Int = 4096
    /// Most pixels an image may have to be used (read from its header, before any decoding).
    public var maxImagePixels: Int = 50_000_000
    /// Most pixels on either side of an image.
    public var maxImageSide: Int = 16_384
    /// Largest image file used as a photo or an image task's input, in bytes.
    public var maxImageBytes: Int = 50 << 20
    /// Most files one `image.job` names.
    public var maxTaskFiles: Int = 1000
    /// Most image tasks one request file creates, across its batch.
    public var maxTasksPerFile: Int = 10_000

    public init() {}
}
