#if canImport(Glibc)
import Glibc
#endif

/// Whether an image's bytes run to its end, read from its last bytes without decoding it: a PNG's `IEND` chunk, a
/// JPEG's end-of-image marker, a GIF's trailer, a WebP whose RIFF size fits the file. A truncated download has
/// the right header and no end.
public enum ImageTrailer {
    /// True when the image of type `mime`, `size` bytes open at `fd`, ends as its format says; true for any other type.
    public static func isComplete(mime: String, size: Int64, fd: Int32) -> Bool {
        let tailLength = Int(min(size, 64))
        var tail = [UInt8](repeating: 0, count: tailLength)
        let n = tail.withUnsafeMutableBytes { buffer in retryingEINTR { pread(fd, buffer.baseAddress, buffer.count, off_t(size) - off_t(tailLength)) } }
        guard n == tailLength else { return false }
        switch mime {
        case "image/png": return contains(tail, [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
        case "image/jpeg": return contains(tail, [0xFF, 0xD9])
        case "image/gif": return tail.suffix(16).contains(0x3B)
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
