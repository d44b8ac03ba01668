#if canImport(Glibc)
import Glibc
#endif

/// Whether an image's bytes run to its end, read without decoding it: a PNG's `IEND` chunk, a JPEG's end-of-image
/// marker after its first scan (anything appended after it is allowed), a GIF's trailer after a block terminator as
/// its last bytes (before any zero padding), a WebP whose RIFF size fits the file. A truncated download has the right header and no end.
public enum ImageTrailer {
    /// True when the image of type `mime`, `size` bytes open at `fd`, ends as its format says; true for any other type.
    public static func isComplete(mime: String, size: Int64, fd: Int32) -> Bool {
        let tailLength = Int(min(size, 64))
        var tail = [UInt8](repeating: 0, count: tailLength)
        let n = tail.withUnsafeMutableBytes { buffer in retryingEINTR { pread(fd, buffer.baseAddress, buffer.count, off_t(size) - off_t(tailLength)) } }
        guard n == tailLength else { return false }
        switch mime {
        case "image/png": return contains(tail, [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
        case "image/jpeg": return JPEGStructure.endsAfterScan(fd: fd, size: size)
        case "image/gif":
            // The trailer after a block terminator (the last image's data, or an extension, ends with a 0 block).
            guard let last = tail.lastIndex(where: { $0 != 0 }), last > 0 else { return false }
            return tail[last] == 0x3B && tail[last - 1] == 0x00
        case "image/webp":
            var head = [UInt8](repeating: 0, count: 8)
            let read = head.withUnsafeMutableBytes { buffer in retryingEINTR { pread(fd, buffer.baseAddress, 8, 0) } }
            guard read == 8 else { return false }
            let riffSize = Int64(head[4]) | Int64(head[5]) << 8 | Int64(head[6]) << 16 | Int64(head[7]) << 24
            return riffSize + 8 <= size
        default: return true
        }
    }

    private static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard bytes.count >= needle.count else { return false }
        return (0...(bytes.count - needle.count)).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
