import Foundation
import Testing
import SluiceCore

@Suite struct ImageHeaderTests {
    @Test func readsWebPInItsThreeForms() {
        func riff(_ chunk: String, _ body: [UInt8]) -> [UInt8] {
            Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBP".utf8) + Array(chunk.utf8) + [0, 0, 0, 0] + body
        }
        // VP8: frame tag (3 bytes), start code, then 14-bit width and height.
        let lossy = riff("VP8 ", [0, 0, 0, 0x9D, 0x01, 0x2A, 0x40, 0x01, 0xF0, 0x00] + [UInt8](repeating: 0, count: 8))
        #expect(ImageHeader.read(lossy) == ImageHeader(width: 320, height: 240))
        // VP8L: signature, then width-1 and height-1 in 14 bits each.
        let bits = (99 & 0x3FFF) | (49 & 0x3FFF) << 14
        let lossless = riff("VP8L", [0x2F, UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24 & 0xFF)]
                            + [UInt8](repeating: 0, count: 8))
        #expect(ImageHeader.read(lossless) == ImageHeader(width: 100, height: 50))
        // VP8X: flags, reserved, then canvas width-1 and height-1 in 24 bits each.
        let extended = riff("VP8X", [0, 0, 0, 0, 0x9F, 0x86, 0x01, 0x9F, 0x86, 0x01] + [UInt8](repeating: 0, count: 4))
        #expect(ImageHeader.read(extended) == ImageHeader(width: 100_000, height: 100_000))
    }

    @Test func findsAJPEGsSizeAfterALongSegmentAndNotPastWhatItWasGiven() {
        let app1 = [0xFF, 0xE1, 0xFF, 0xF0] + [UInt8](repeating: 0x41, count: 0xFFEE)
        let sof = [0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80] + [UInt8](repeating: 0, count: 12)
        let jpeg = [0xFF, 0xD8] + app1 + sof
        #expect(ImageHeader.read(jpeg) == ImageHeader(width: 640, height: 480))
        #expect(ImageHeader.read(Array(jpeg.prefix(1000))) == nil, "the size is past the bytes given")
        // Metadata past 256 KiB (five APP2 segments of 64 KiB, as a camera's ICC profile and XMP can be): still found.
        let metadata = (0..<5).flatMap { _ in [0xFF, 0xE2, 0xFF, 0xF0] + [UInt8](repeating: 0x42, count: 0xFFEE) }
        #expect(ImageHeader.read([0xFF, 0xD8] + metadata + app1 + sof) == ImageHeader(width: 640, height: 480))
        #expect(ImageHeader.read([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x10, 0x00, 0x20, 0x00]) == ImageHeader(width: 16, height: 32))
        #expect(ImageHeader.read(Array("<html>".utf8)) == nil)
    }

    @Test func aPhotoIsAnImageOfAKnownSizeWithinTheLimits() {
        let limits = Limits()
        #expect(PhotoRule.problem(mime: "image/png", bytes: 1000, size: ImageHeader(width: 800, height: 600), complete: true, limits: limits) == nil)
        #expect(PhotoRule.problem(mime: "text/html", bytes: 1000, size: nil, complete: true, limits: limits)?.contains("the bytes are text/html") == true)
        #expect(PhotoRule.problem(mime: "image/png", bytes: 1000, size: nil, complete: true, limits: limits)?.contains("does not say the image's size") == true)
        #expect(PhotoRule.problem(mime: "image/png", bytes: 1000, size: ImageHeader(width: 100_000, height: 100_000), complete: true, limits: limits)?
            .contains("over the limit of 16384 pixels a side") == true)
        #expect(PhotoRule.problem(mime: "image/webp", bytes: 1000, size: ImageHeader(width: 10_000, height: 10_000), complete: true, limits: limits)?
            .contains("100000000 pixels, over the limit of 50000000") == true)
        #expect(PhotoRule.problem(mime: "image/tiff", bytes: 1000, size: ImageHeader(width: 10, height: 10), complete: true, limits: limits) != nil, "TIFF is no photo")
        #expect(PhotoRule.problem(mime: "image/jpeg", bytes: 60 << 20, size: ImageHeader(width: 10, height: 10), complete: true, limits: limits)?
            .contains("over the limit of 52428800 bytes (50 MiB)") == true)
        #expect(PhotoRule.problem(mime: "image/jpeg", bytes: 1000, size: ImageHeader(width: 10, height: 10), complete: false, limits: limits)?
            .contains("truncated") == true)
    }

    /// `body` run with `bytes` open in a temporary file.
    func withFile<T>(_ bytes: [UInt8], _ body: (Int32) -> T) throws -> T {
        let path = NSTemporaryDirectory() + "/image-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        return body(fd)
    }

    /// A JPEG's structure around made-up data: six 64 KiB APP1 segments (the first holding an EXIF-style thumbnail,
    /// itself a JPEG with its own end marker), the frame, a scan whose data has stuffed and restart markers, the end.
    func jpeg(scanData: [UInt8] = [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56] + [UInt8](repeating: 0x78, count: 100_000)) -> (head: [UInt8], scan: [UInt8]) {
        let thumbnail: [UInt8] = [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x01, 0xFF, 0xD9]
        var head: [UInt8] = [0xFF, 0xD8]
        for i in 0..<6 {
            let payload = (i == 0 ? thumbnail : []) + [UInt8](repeating: 0x41, count: 0xFFED - (i == 0 ? thumbnail.count : 0))
            head += [0xFF, 0xE1, 0xFF, 0xEF] + payload
        }
        head += [0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80] + [UInt8](repeating: 0, count: 10) // 640×480, length 17
        head += [0xFF, 0xDA, 0x00, 0x08] + [UInt8](repeating: 0, count: 6)
        return (head, scanData)
    }

    @Test func aJPEGsSizeAndEndAreFoundPastAnyLengthOfMetadata() throws {
        let (head, scan) = jpeg()
        #expect(head.count > 256 * 1024, "the frame is past 256 KiB of metadata")
        let whole = head + scan + [0xFF, 0xD9]
        let first = Array(whole.prefix(4096))
        #expect(try withFile(whole) { ImageInspection.inspect(mime: "image/jpeg", first: first, size: Int64(whole.count), fd: $0) }
                == ImageInspection(size: ImageHeader(width: 640, height: 480), truncated: false))
        #expect(try withFile(whole) { ImageTrailer.isComplete(mime: "image/jpeg", size: Int64(whole.count), fd: $0) })
        // Bytes appended after the end (a phone's motion photo, padding) are allowed.
        let motion = whole + Array("....ftypmp42".utf8) + [UInt8](repeating: 0x11, count: 5000)
        #expect(try withFile(motion) { ImageTrailer.isComplete(mime: "image/jpeg", size: Int64(motion.count), fd: $0) })
        // Cut anywhere in the scan: no end, though the thumbnail before the scan has one.
        for cut in [head.count + 3, head.count + 65_536, head.count + scan.count] {
            let truncated = Array(whole.prefix(cut))
            #expect(try withFile(truncated) { ImageTrailer.isComplete(mime: "image/jpeg", size: Int64(cut), fd: $0) } == false, "cut at \(cut)")
        }
        // An end marker split across the scanner's 64 KiB reads is still found.
        let (splitHead, _) = jpeg()
        let split = splitHead + [UInt8](repeating: 0x78, count: 65_536 - 1) + [0xFF, 0xD9]
        #expect(try withFile(split) { ImageTrailer.isComplete(mime: "image/jpeg", size: Int64(split.count), fd: $0) })
    }

    @Test func aGIFEndsWithItsTrailerAfterABlockTerminator() throws {
        let data = Array("GIF89a".utf8) + [0x10, 0x00, 0x20, 0x00] + [UInt8](repeating: 0x2C, count: 100)
        let gif = data + [0x00] // the last data block's terminator
        for (bytes, complete) in [(gif + [0x3B], true), (gif + [0x3B, 0, 0, 0], true), (gif + [0x3B, 0x01, 0x02], false),
                                  (gif, false), (data + [0x3B], false)] {
            #expect(try withFile(bytes) { ImageTrailer.isComplete(mime: "image/gif", size: Int64(bytes.count), fd: $0) } == complete)
        }
    }

    /// Hostile or broken JPEG structures end the walk at once, in bounded time, and never count as whole.
    @Test func brokenJPEGStructuresAreNoImageAndCostLittle() throws {
        let (head, scan) = jpeg()
        let cases: [(String, [UInt8])] = [
            ("a megabyte of fill bytes", [0xFF, 0xD8] + [UInt8](repeating: 0xFF, count: 1 << 20)),
            ("a zero-length segment", [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x00] + [UInt8](repeating: 0, count: 100)),
            ("a segment longer than the file", [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 100)),
            ("a cut inside the metadata", Array(head.prefix(70_000))),
            ("an end of image before any scan", [0xFF, 0xD8, 0xFF, 0xD9] + Array(head.dropFirst(2)) + scan + [0xFF, 0xD9]),
            ("no marker where one must be", [0xFF, 0xD8, 0x12, 0x34] + scan + [0xFF, 0xD9]),
            ("64 KiB of empty comments", [0xFF, 0xD8] + Array([[UInt8]](repeating: [0xFF, 0xFE, 0x00, 0x02], count: 16_384).joined())),
        ]
        for (what, bytes) in cases {
            let clock = ContinuousClock.now
            let (size, whole) = try withFile(bytes) {
                let image = ImageInspection.inspect(mime: "image/jpeg", first: Array(bytes.prefix(16)), size: Int64(bytes.count), fd: $0)
                return (image.size, !image.truncated)
            }
            #expect(size == nil && !whole, "\(what)")
            #expect(ContinuousClock.now - clock < .seconds(1), "\(what) took \(ContinuousClock.now - clock)")
        }
    }
}
