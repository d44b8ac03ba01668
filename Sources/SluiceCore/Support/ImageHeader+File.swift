#if canImport(Glibc)
import Glibc
#endif

extension ImageHeader {
    /// The size of the image open at `fd`, whose first bytes `first` were already read: from those when they hold the
    /// header, else (a JPEG's size can follow long segments) from up to `maxHeaderLength` bytes read again. Nil when
    /// the bytes are no image this reads.
    public static func read(fd: Int32, first: [UInt8]) -> ImageHeader? {
        if let size = read(first) { return size }
        guard first.starts(with: [0xFF, 0xD8]) else { return nil }
        var more = [UInt8](repeating: 0, count: maxHeaderLength)
        let n = more.withUnsafeMutableBytes { buffer in retryingEINTR { pread(fd, buffer.baseAddress, buffer.count, 0) } }
        return n > 0 ? read(more.prefix(n)) : nil
    }
}
