#if canImport(Glibc)
import Glibc
#endif

/// A JPEG's EXIF orientation, read without decoding (libgd ignores EXIF; image tasks apply it themselves): TIFF tag
/// 0x0112 in IFD0 of the first `Exif` APP1 segment. 1 is upright; 2–8 are the mirrorings and quarter turns of the
/// EXIF specification. Any malformed EXIF (an offset or a count outside the segment, a wrong type) reads as none.
public enum ExifOrientation {
    /// The orientation (1–8) of the JPEG of `size` bytes open at `fd`; nil when it has none, or none readable.
    public static func read(fd: Int32, size: Int64) -> Int? {
        guard let exif = JPEGStructure.header(fd: fd, size: size).exif, exif.length >= 8 else { return nil }
        var tiff = [UInt8](repeating: 0, count: exif.length)
        let n = tiff.withUnsafeMutableBytes { buffer in retryingEINTR { pread(fd, buffer.baseAddress, buffer.count, off_t(exif.offset)) } }
        guard n == exif.length else { return nil }
        return orientation(tiff: tiff)
    }

    /// The orientation in a TIFF structure (the payload of an `Exif` segment, after `Exif\0\0`).
    static func orientation(tiff b: [UInt8]) -> Int? {
        let little: Bool
        switch (b.count >= 8 ? (b[0], b[1]) : (0, 0)) {
        case (0x49, 0x49): little = true  // "II"
        case (0x4D, 0x4D): little = false // "MM"
        default: return nil
        }
        func u16(_ i: Int) -> Int? {
            guard i >= 0, i + 2 <= b.count else { return nil }
            return little ? Int(b[i]) | Int(b[i + 1]) << 8 : Int(b[i]) << 8 | Int(b[i + 1])
        }
        func u32(_ i: Int) -> Int? {
            guard let a = u16(i), let c = u16(i + 2) else { return nil }
            return little ? a | c << 16 : a << 16 | c
        }
        guard u16(2) == 42, let ifd = u32(4), let entries = u16(ifd) else { return nil }
        for e in 0..<entries {
            let at = ifd + 2 + 12 * e
            guard let tag = u16(at) else { return nil } // the entries run past the segment
            guard tag == 0x0112 else { continue }
            // SHORT (3), one value, held in the entry's first two value bytes.
            guard u16(at + 2) == 3, u32(at + 4) == 1, let value = u16(at + 8), (1...8).contains(value) else { return nil }
            return value
        }
        return nil
    }
}
