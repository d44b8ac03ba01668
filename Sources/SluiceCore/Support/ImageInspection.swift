/// What stored bytes say of the image they hold, read once without decoding: its size (`ImageHeader`) and whether
/// they stop before the image's end (`ImageTrailer`). A JPEG's segments are walked once for both.
public struct ImageInspection: Sendable, Equatable {
    public var size: ImageHeader?
    public var truncated: Bool

    public init(size: ImageHeader?, truncated: Bool) { self.size = size; self.truncated = truncated }

    /// The image of type `mime`, `size` bytes open at `fd`, whose first bytes `first` were already read.
    public static func inspect(mime: String, first: [UInt8], size: Int64, fd: Int32) -> ImageInspection {
        guard mime == "image/jpeg" else {
            return ImageInspection(size: ImageHeader.read(first), truncated: !ImageTrailer.isComplete(mime: mime, size: size, fd: fd))
        }
        let header = JPEGStructure.header(fd: fd, size: size)
        return ImageInspection(size: header.size,
                               truncated: !JPEGStructure.endsAfterScan(fd: fd, size: size, scanData: header.scanData))
    }
}
