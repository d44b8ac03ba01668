#if canImport(Glibc)
import Glibc
#endif

/// A JPEG's marker segments, walked in a file with `pread` by their lengths: however long its metadata (EXIF,
/// XMP, depth maps, each segment up to 64 KiB and any number of them), without reading more than a few bytes a
/// segment, and without ever reading the image data as segments.
enum JPEGStructure {
    /// The frame's size (the first SOFn segment before the first scan), or nil when the file has none.
    static func frameSize(fd: Int32, size: Int64) -> ImageHeader? {
        var found: ImageHeader?
        _ = walk(fd: fd, size: size) { marker, offset in
            guard isFrame(marker) else { return true }
            // SOFn: length(2) precision(1) height(2) width(2)
            guard let b = read(fd, at: offset + 4, count: 5) else { return false }
            found = ImageHeader(width: Int(b[3]) << 8 | Int(b[4]), height: Int(b[1]) << 8 | Int(b[2]))
            return false
        }
        return found
    }

    /// True when the end-of-image marker follows the first scan: the entropy-coded data that follows a scan header
    /// holds no `FF D9` (an `FF` there is stuffed as `FF 00`), so a truncated file has none, while bytes appended
    /// after the image (a phone's motion photo, padding) do not matter. An EXIF thumbnail's own end marker comes
    /// before the first scan, inside a segment, and is never looked at.
    static func endsAfterScan(fd: Int32, size: Int64) -> Bool {
        guard let data = walk(fd: fd, size: size, { _, _ in true }) else { return false }
        var chunk = [UInt8](repeating: 0, count: 65536)
        var offset = data
        var previousWasFF = false
        while offset < size {
            let n = chunk.withUnsafeMutableBytes { buffer in
                retryingEINTR { pread(fd, buffer.baseAddress, min(buffer.count, Int(size - offset)), off_t(offset)) }
            }
            guard n > 0 else { return false }
            let found = chunk.withUnsafeBytes { buffer -> Bool in
                if previousWasFF && buffer[0] == 0xD9 { return true }
                var i = 0
                while i < n - 1 {
                    guard let p = memchr(buffer.baseAddress! + i, 0xFF, n - 1 - i) else { return false }
                    i = buffer.baseAddress!.distance(to: UnsafeRawPointer(p))
                    if buffer[i + 1] == 0xD9 { return true }
                    i += 1
                }
                return false
            }
            if found { return true }
            previousWasFF = chunk[n - 1] == 0xFF
            offset += Int64(n)
        }
        return false
    }

    /// Calls `segment(marker, offset)` for each marker segment from the start of the file to the first scan header
    /// while it returns true; returns the offset of the first scan's data, or nil when the walk ended before it
    /// (no JPEG, a truncated header, or `segment` returned false).
    private static func walk(fd: Int32, size: Int64, _ segment: (UInt8, Int64) -> Bool) -> Int64? {
        guard let start = read(fd, at: 0, count: 2), start == [0xFF, 0xD8] else { return nil }
        var offset: Int64 = 2
        while offset + 4 <= size {
            guard let b = read(fd, at: offset, count: 4), b[0] == 0xFF else { return nil }
            let marker = b[1]
            if marker == 0xFF { offset += 1; continue } // fill byte
            if marker == 0x01 || (0xD0...0xD8).contains(marker) { offset += 2; continue } // no length
            let length = Int64(b[2]) << 8 | Int64(b[3])
            guard length >= 2, segment(marker, offset) else { return nil }
            if marker == 0xDA { return offset + 2 + length }
            offset += 2 + length
        }
        return nil
    }

    /// SOF0–SOF15 but DHT (C4), JPG (C8) and DAC (CC).
    private static func isFrame(_ marker: UInt8) -> Bool {
        (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
    }

    private static func read(_ fd: Int32, at offset: Int64, count: Int) -> [UInt8]? {
        var b = [UInt8](repeating: 0, count: count)
        let n = b.withUnsafeMutableBytes { buffer in retryingEINTR { pread(fd, buffer.baseAddress, count, off_t(offset)) } }
        return n == count ? b : nil
    }
}
