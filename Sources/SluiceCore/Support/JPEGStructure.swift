#if canImport(Glibc)
import Glibc
#endif

/// A JPEG's marker segments, walked in a file by their lengths through a 64 KiB window: however long its metadata
/// (EXIF, XMP, depth maps: each segment up to 64 KiB, any number of them), reading each byte of the file at most
/// once, and never taking image data for segments. Hostile files cost bounded time: the walk gives up past
/// `maxHeaderBytes` before the first scan, and files over `maxInspectedBytes` are not scanned at all.
enum JPEGStructure {
    /// How far into the file the first scan may start (the metadata before it); past it the file is not read on.
    static let maxHeaderBytes: Int64 = 16 << 20
    /// The largest file whose end is looked for: more than any photo may be (`Limits.maxImageBytes`).
    static let maxInspectedBytes: Int64 = 64 << 20

    /// What one walk from the start of the file finds: the frame's size (the first SOFn before the first scan) and
    /// where the first scan's data starts; nil members when the walk stopped first (no JPEG, a broken or truncated
    /// header, an end-of-image before any scan).
    struct Header {
        var size: ImageHeader?
        var scanData: Int64?
        /// The first APP1 segment holding EXIF (`Exif\0\0`): where its TIFF data starts, and how long it is.
        var exif: (offset: Int64, length: Int)?
    }

    static func header(fd: Int32, size: Int64) -> Header {
        var window = Window(fd: fd, size: size)
        var header = Header()
        guard window.byte(at: 0) == 0xFF, window.byte(at: 1) == 0xD8 else { return header }
        var offset: Int64 = 2
        while offset < min(size, maxHeaderBytes) {
            guard window.byte(at: offset) == 0xFF, let marker = window.byte(at: offset + 1) else { return header }
            switch marker {
            case 0xFF: offset += 1; continue // fill byte
            case 0x01, 0xD0...0xD7: offset += 2; continue // no length
            case 0x00, 0xD8, 0xD9: return header // no marker, or an image's start or end before any scan
            default: break
            }
            guard let high = window.byte(at: offset + 2), let low = window.byte(at: offset + 3) else { return header }
            let length = Int64(high) << 8 | Int64(low)
            guard length >= 2 else { return header }
            if header.size == nil, isFrame(marker), let b = window.bytes(at: offset + 5, count: 4) {
                header.size = ImageHeader(width: Int(b[2]) << 8 | Int(b[3]), height: Int(b[0]) << 8 | Int(b[1]))
            }
            if header.exif == nil, marker == 0xE1, length > 8, window.bytes(at: offset + 4, count: 6) == Array("Exif\0\0".utf8) {
                header.exif = (offset + 10, Int(length) - 8)
            }
            if marker == 0xDA {
                header.scanData = offset + 2 + length
                return header
            }
            offset += 2 + length
        }
        return header
    }

    /// True when the end-of-image marker follows the first scan: the entropy-coded data that follows a scan header
    /// holds no `FF D9` (an `FF` there is stuffed as `FF 00`), so a truncated file has none, while bytes appended
    /// after the image (a phone's motion photo, padding) do not matter. An EXIF thumbnail's own end marker comes
    /// before the first scan, inside a segment, and is never looked at. Files over `maxInspectedBytes` are not read
    /// and count as whole (no photo may be that large).
    static func endsAfterScan(fd: Int32, size: Int64) -> Bool {
        guard size <= maxInspectedBytes else { return true }
        return endsAfterScan(fd: fd, size: size, scanData: header(fd: fd, size: size).scanData)
    }

    /// The same, from where the first scan's data starts (`Header.scanData`, nil: no scan), for a caller that has
    /// walked the header already.
    static func endsAfterScan(fd: Int32, size: Int64, scanData: Int64?) -> Bool {
        guard size <= maxInspectedBytes else { return true }
        guard let data = scanData else { return false }
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

    /// SOF0–SOF15 but DHT (C4), JPG (C8) and DAC (CC).
    private static func isFrame(_ marker: UInt8) -> Bool {
        (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
    }

    /// 64 KiB of the file at a time, read again only when a wanted byte lies outside it.
    private struct Window {
        let fd: Int32
        let size: Int64
        var buffer = [UInt8](repeating: 0, count: 65536)
        var start: Int64 = 0
        var count = 0

        init(fd: Int32, size: Int64) { self.fd = fd; self.size = size }

        mutating func byte(at offset: Int64) -> UInt8? {
            guard offset >= 0, offset < size else { return nil }
            if offset < start || offset >= start + Int64(count) {
                start = offset
                let want = Int(min(Int64(buffer.count), size - offset))
                let (fd, at) = (fd, start)
                count = max(0, buffer.withUnsafeMutableBytes { b in retryingEINTR { pread(fd, b.baseAddress, want, off_t(at)) } })
                guard count > 0 else { return nil }
            }
            return buffer[Int(offset - start)]
        }

        mutating func bytes(at offset: Int64, count n: Int) -> [UInt8]? {
            var out: [UInt8] = []
            for i in 0..<Int64(n) {
                guard let b = byte(at: offset + i) else { return nil }
                out.append(b)
            }
            return out
        }
    }
}
