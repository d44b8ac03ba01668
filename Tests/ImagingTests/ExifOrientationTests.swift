import Foundation
import Imaging
import SluiceCore
import Testing

/// EXIF orientation read from real JPEGs (encoded by libgd, then given an EXIF segment as cameras write it).
@Suite struct ExifOrientationTests {
    /// An `Exif` APP1 segment whose IFD0 holds `entries` (tag, type, count, value) in the given byte order.
    func exif(littleEndian: Bool, entries: [(tag: Int, type: Int, count: Int, value: Int)], ifdOffset: Int = 8) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] : [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { littleEndian ? u16(v & 0xFFFF) + u16(v >> 16) : u16(v >> 16) + u16(v & 0xFFFF) }
        var tiff: [UInt8] = (littleEndian ? [0x49, 0x49] : [0x4D, 0x4D]) + u16(42) + u32(ifdOffset)
        tiff += u16(entries.count)
        for e in entries { tiff += u16(e.tag) + u16(e.type) + u32(e.count) + u16(e.value) + [0, 0] }
        tiff += u32(0)
        let payload = Array("Exif\0\0".utf8) + tiff
        return [0xFF, 0xE1] + [UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
    }

    func withSegments(_ segments: [UInt8]...) throws -> [UInt8] {
        let image = try GDImage(width: 40, height: 30)
        image.fillRectangle(x1: 0, y1: 0, x2: 39, y2: 29, red: 200, green: 80, blue: 40)
        let jpeg = try image.jpeg()
        return Array(jpeg.prefix(2)) + segments.joined() + Array(jpeg.dropFirst(2))
    }

    func read(_ bytes: [UInt8]) throws -> (orientation: Int?, size: ImageHeader?, whole: Bool) {
        let path = NSTemporaryDirectory() + "/exif-\(UUID().uuidString).jpg"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let image = ImageInspection.inspect(mime: "image/jpeg", first: Array(bytes.prefix(64)), size: Int64(bytes.count), fd: fd)
        return (ExifOrientation.read(fd: fd, size: Int64(bytes.count)), image.size, !image.truncated)
    }

    @Test func readsEachOrientationInBothByteOrders() throws {
        for littleEndian in [true, false] {
            for orientation in 1...8 {
                let entries = [(tag: 0x010F, type: 2, count: 4, value: 0x4143), (tag: 0x0112, type: 3, count: 1, value: orientation)]
                let found = try read(try withSegments(exif(littleEndian: littleEndian, entries: entries)))
                #expect(found.orientation == orientation, "\(orientation), \(littleEndian ? "II" : "MM")")
                #expect(found.size == ImageHeader(width: 40, height: 30) && found.whole, "the image around it reads as before")
            }
        }
    }

    @Test func findsExifBehindOtherSegmentsAndNothingWithout() throws {
        let xmp: [UInt8] = {
            let payload = Array("http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>".utf8)
            return [0xFF, 0xE1, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        }()
        let six = exif(littleEndian: true, entries: [(0x0112, 3, 1, 6)])
        #expect(try read(try withSegments(xmp, six)).orientation == 6)
        #expect(try read(try withSegments()).orientation == nil, "no EXIF: none")
        #expect(try read(try withSegments(exif(littleEndian: true, entries: [(0x010F, 2, 4, 0x4143)]))).orientation == nil, "no tag")
    }

    @Test func malformedExifReadsAsNone() throws {
        let cases: [(String, [UInt8])] = [
            ("an IFD past the segment", exif(littleEndian: true, entries: [(0x0112, 3, 1, 6)], ifdOffset: 60_000)),
            ("a value out of range", exif(littleEndian: false, entries: [(0x0112, 3, 1, 9)])),
            ("the wrong type", exif(littleEndian: true, entries: [(0x0112, 4, 1, 6)])),
            ("two values", exif(littleEndian: true, entries: [(0x0112, 3, 2, 6)])),
        ]
        for (what, segment) in cases {
            #expect(try read(try withSegments(segment)).orientation == nil, "\(what)")
        }
        // An entry count far past the segment's end stops at its end.
        var many = exif(littleEndian: true, entries: [(0x010F, 2, 4, 0x4143)])
        many[4 + 6 + 8] = 0xFF; many[4 + 6 + 9] = 0xFF // 65,535 entries claimed
        #expect(try read(try withSegments(many)).orientation == nil)
    }
}

/// Orientation applied through libgd, checked pixel by pixel against the EXIF specification's mapping.
@Suite struct OrientationApplyTests {
    @Test func eachOrientationGivesTheUprightImage() throws {
        let (w, h) = (5, 3)
        func stored() throws -> GDImage {
            let image = try GDImage(width: w, height: h)
            for y in 0..<h { for x in 0..<w { image.setPixel(x: x, y: y, red: x * 40, green: y * 60, blue: 100) } }
            return image
        }
        // Where each upright pixel (x, y) comes from in the stored image (EXIF 2.32, tag 0x0112).
        let source: [Int: (Int, Int) -> (Int, Int)] = [
            1: { x, y in (x, y) }, 2: { x, y in (w - 1 - x, y) }, 3: { x, y in (w - 1 - x, h - 1 - y) }, 4: { x, y in (x, h - 1 - y) },
            5: { x, y in (y, x) }, 6: { x, y in (y, h - 1 - x) }, 7: { x, y in (w - 1 - y, h - 1 - x) }, 8: { x, y in (w - 1 - y, x) },
        ]
        for orientation in 1...8 {
            let upright = try stored().oriented(exif: orientation)
            let turned = orientation >= 5
            #expect((upright.width, upright.height) == (turned ? (h, w) : (w, h)), "orientation \(orientation): size")
            let from = source[orientation]!
            var wrong = 0
            for y in 0..<upright.height {
                for x in 0..<upright.width {
                    let (sx, sy) = from(x, y)
                    if upright.pixel(x: x, y: y) & 0xFFFFFF != UInt32(sx * 40 << 16 | sy * 60 << 8 | 100) { wrong += 1 }
                }
            }
            #expect(wrong == 0, "orientation \(orientation): \(wrong) pixels out of place")
        }
    }
}
