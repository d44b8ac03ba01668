#if canImport(Glibc)
import Glibc
#endif

extension ImageHeader {
    /// The size of the image open at `fd`, whose first bytes `first` were already read: from those when they hold the
    /// header, else (a JPEG's size can follow any number of long segments) by walking the file's segments. Nil when
    /// the bytes are no image this reads.
    public static func read(fd: Int32, first: [UInt8]) -> ImageHeader? {
        if let size = read(first) { return size }
        guard first.starts(with: [0xFF, 0xD8]) else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return JPEGStructure.header(fd: fd, size: Int64(st.st_size)).size
    }
}
