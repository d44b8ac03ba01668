import Foundation
import Imaging
import SluiceCore
import Testing

/// Image tasks' work on real images made with libgd: sizes for every fit, pixels for the geometric and colour
/// steps, every output format, EXIF orientations, and the refusals.
@Suite struct ImageProcessorTests {
    /// A `width` × `height` image, each pixel a colour of its own position.
    func gradient(_ width: Int, _ height: Int) throws -> GDImage {
        let image = try GDImage(width: width, height: height)
        for y in 0..<height { for x in 0..<width { image.setPixel(x: x, y: y, red: x * 255 / max(1, width - 1), green: y * 255 / max(1, height - 1), blue: 90) } }
        return image
    }

    func run(_ source: [UInt8], _ format: ImageFormat, _ algorithm: String, _ params: String, orientation: Int = 1,
             limits: Limits = Limits()) throws -> ImageProcessor.Output {
        let operation = try ImageOperation.decode(algorithm: .string(algorithm), params: try JSONParser.parse(Array(params.utf8))).get()
        return try ImageProcessor.process(bytes: source, format: format, orientation: orientation, operation: operation, limits: limits)
    }

    func decoded(_ output: ImageProcessor.Output) throws -> GDImage {
        try GDImage.decode(output.bytes, mime: output.format.mime, limits: Limits())
    }

    @Test func resizeGivesEachFitItsSize() throws {
        let png = try gradient(300, 200).png()
        let cases: [(String, Int, Int)] = [
            (#"{"width": 100, "height": 100}"#, 100, 67),                    // inside: within the box
            (#"{"width": 100, "height": 100, "fit": "cover"}"#, 100, 100),   // cover: the box, cropped
            (#"{"width": 50, "height": 80, "fit": "fill"}"#, 50, 80),        // fill: the box, stretched
            (#"{"width": 100, "height": 100, "fit": "contain"}"#, 100, 100), // contain: the box, padded
            (#"{"width": 150}"#, 150, 100),                                 // one side: the other by the aspect
            (#"{"height": 50, "kernel": "nearest"}"#, 75, 50),
            (#"{"width": 600, "height": 600, "kernel": "bicubic"}"#, 600, 400), // inside may enlarge
        ]
        for (params, width, height) in cases {
            let output = try run(png, .png, "resize", params)
            #expect((output.width, output.height) == (width, height), "\(params)")
            let image = try decoded(output)
            #expect((image.width, image.height) == (width, height), "\(params): the encoded image")
        }
        // contain pads with the background: above and below a 100×67 image in a 100×100 box.
        let padded = try decoded(try run(png, .png, "resize", ##"{"width": 100, "height": 100, "fit": "contain", "background": "#ff00ff"}"##))
        #expect(padded.pixel(x: 50, y: 2) & 0xFFFFFF == 0xFF00FF && padded.pixel(x: 50, y: 97) & 0xFFFFFF == 0xFF00FF)
        #expect(padded.pixel(x: 50, y: 50) & 0xFFFFFF != 0xFF00FF)
    }

    @Test func aJPEGThumbnailDecodesAtAnEighth() throws {
        let image = try gradient(3000, 2000)
        let jpeg = try image.jpeg(quality: 90)
        #expect(GDImage.scale(3000, 2000, to: (256, 171)) == 1, "1/8 of 3000×2000 is 375×250, enough for 256×171")
        #expect(GDImage.scale(3000, 2000, to: (1000, 500)) == 3)
        #expect(GDImage.scale(3000, 2000, to: (3000, 2000)) == 8)
        let thumbnail = try run(jpeg, .jpeg, "resize", #"{"width": 256, "height": 256}"#)
        #expect((thumbnail.width, thumbnail.height) == (256, 171) && thumbnail.format == .jpeg)
        // The colours survive the scaled decode: left is dark red, right is bright red.
        let small = try decoded(thumbnail)
        #expect(small.pixel(x: 2, y: 85) >> 16 & 0xFF < 40 && small.pixel(x: 253, y: 85) >> 16 & 0xFF > 215)
        // A decode at full size sees the same picture.
        let full = try GDImage.decode(jpeg, mime: "image/jpeg", limits: Limits())
        #expect((full.width, full.height) == (3000, 2000) && full.pixel(x: 2999, y: 0) >> 16 & 0xFF > 240)
        // 320 KiB of metadata before the frame header (five APP2 segments, as a camera's ICC profile and XMP can be):
        // the size is found all the same, and the thumbnail is made.
        let metadata = (0..<5).flatMap { _ in [0xFF, 0xE2, 0xFF, 0xF0] + [UInt8](repeating: 0x42, count: 0xFFEE) }
        let annotated = Array(jpeg.prefix(2)) + metadata + Array(jpeg.dropFirst(2))
        let fromAnnotated = try run(annotated, .jpeg, "resize", #"{"width": 256, "height": 256}"#)
        #expect((fromAnnotated.width, fromAnnotated.height) == (256, 171))
    }

    @Test func flipsRotationsAndColourStepsMovePixelsAsSpecified() throws {
        let (w, h) = (4, 3)
        let png = try gradient(w, h).png()
        let source = try GDImage(png: png)
        func same(_ image: GDImage, _ from: (Int, Int) -> (Int, Int)) -> Bool {
            (0..<image.height).allSatisfy { y in (0..<image.width).allSatisfy { x in
                let (sx, sy) = from(x, y)
                return image.pixel(x: x, y: y) == source.pixel(x: sx, y: sy)
            } }
        }
        #expect(same(try decoded(try run(png, .png, "flip", "null"))) { x, y in (w - 1 - x, y) })
        #expect(same(try decoded(try run(png, .png, "flip", #"{"direction": "vertical"}"#))) { x, y in (x, h - 1 - y) })
        #expect(same(try decoded(try run(png, .png, "flip", #"{"direction": "both"}"#))) { x, y in (w - 1 - x, h - 1 - y) })
        let clockwise = try decoded(try run(png, .png, "rotate", #"{"degrees": 90}"#))
        #expect((clockwise.width, clockwise.height) == (h, w))
        #expect(same(clockwise) { x, y in (y, h - 1 - x) }, "90° clockwise: the left column becomes the top row")
        let counter = try decoded(try run(png, .png, "rotate", #"{"degrees": -90}"#))
        #expect(same(counter) { x, y in (w - 1 - y, x) })
        #expect(same(try decoded(try run(png, .png, "rotate", #"{"degrees": 180}"#))) { x, y in (w - 1 - x, h - 1 - y) })

        let gray = try decoded(try run(png, .png, "grayscale", "null"))
        #expect((0..<h).allSatisfy { y in (0..<w).allSatisfy { x in
            let p = gray.pixel(x: x, y: y)
            return p >> 16 & 0xFF == p >> 8 & 0xFF && p >> 8 & 0xFF == p & 0xFF
        } })
        let negated = try decoded(try run(png, .png, "negate", "{}"))
        #expect(same(negated) { x, y in (x, y) } == false)
        #expect((0..<h).allSatisfy { y in (0..<w).allSatisfy { x in negated.pixel(x: x, y: y) & 0xFFFFFF == ~source.pixel(x: x, y: y) & 0xFFFFFF } })
        let brighter = try decoded(try run(png, .png, "brightness", #"{"value": 40}"#))
        #expect(brighter.pixel(x: 0, y: 0) & 0xFF == min(255, source.pixel(x: 0, y: 0) & 0xFF + 40))
    }

    @Test func positiveContrastSpreadsTonesAndNegativeNarrowsThem() throws {
        let image = try GDImage(width: 2, height: 1)
        image.setPixel(x: 0, y: 0, red: 100, green: 100, blue: 100)
        image.setPixel(x: 1, y: 0, red: 160, green: 160, blue: 160)
        let png = try image.png()
        func spread(_ value: Int) throws -> Int {
            let out = try decoded(try run(png, .png, "contrast", #"{"value": \#(value)}"#))
            return Int(out.pixel(x: 1, y: 0) & 0xFF) - Int(out.pixel(x: 0, y: 0) & 0xFF)
        }
        #expect(try spread(50) > 60 && 60 > (try spread(-50)))
    }

    @Test func everyFilterAndAPipelineRun() throws {
        let png = try gradient(64, 48).png()
        let source = try GDImage(png: png)
        for (algorithm, params) in [("colorize", #"{"r": 50, "b": -50}"#), ("blur", #"{"sigma": 1.5}"#), ("sharpen", #"{"amount": 80}"#),
                                    ("pixelate", #"{"block": 8}"#), ("emboss", "null"), ("edge_detect", "null"), ("smooth", #"{"weight": 5}"#),
                                    ("crop", #"{"x": 10, "y": 5, "width": 20, "height": 30}"#), ("rotate", ##"{"degrees": 30, "background": "#00ff00"}"##)] {
            let output = try run(png, .png, algorithm, params)
            #expect(output.bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(algorithm)")
            // A filter keeps the size and changes pixels (the gradient's bands have edges for every one of them).
            if !["crop", "rotate"].contains(algorithm) {
                let out = try decoded(output)
                #expect((out.width, out.height) == (source.width, source.height), "\(algorithm)")
                let changed = (0..<out.height).reduce(0) { sum, y in
                    sum + (0..<out.width).filter { x in out.pixel(x: x, y: y) & 0xFFFFFF != source.pixel(x: x, y: y) & 0xFFFFFF }.count
                }
                #expect(changed > 0, "\(algorithm) changed no pixel")
            }
        }
        #expect(try run(png, .png, "crop", #"{"x": 10, "y": 5, "width": 20, "height": 30}"#).width == 20)
        let chained = try run(png, .png, "pipeline", #"{"steps": [{"algorithm": "resize", "params": {"width": 32}}, {"algorithm": "rotate", "params": {"degrees": 90}}, {"algorithm": "grayscale"}], "format": "jpeg", "quality": 70}"#)
        #expect((chained.width, chained.height, chained.format) == (24, 32, .jpeg))
        #expect(throws: ImagingError.operationFailed("crop: the rectangle x 60…80, y 0…10 is outside the 64×48 image")) {
            try run(png, .png, "crop", #"{"x": 60, "y": 0, "width": 20, "height": 10}"#)
        }
    }

    @Test func everyFormatRoundTrips() throws {
        let png = try gradient(40, 30).png()
        for format in [ImageFormat.jpeg, .png, .webp, .gif] {
            let output = try run(png, .png, "flip", #"{"format": "\#(format.rawValue)"}"#)
            #expect(ContentSniffer.sniff(output.bytes).mime == format.mime, "\(format)")
            let back = try GDImage.decode(output.bytes, mime: format.mime, limits: Limits())
            #expect((back.width, back.height) == (40, 30), "\(format)")
            // And as a source: each format is read back and written as PNG.
            #expect(try run(output.bytes, format, "negate", #"{"format": "png"}"#).width == 40)
        }
        let avif = try run(png, .png, "flip", #"{"format": "avif", "quality": 50}"#)
        #expect(avif.format == .avif && avif.bytes.count > 12 && Array(avif.bytes[4..<12]) == Array("ftypavif".utf8))
    }

    @Test func aGIFOfManyFramesGivesItsFirst() throws {
        // Two frames: libgd's one-frame GIF with its image block repeated, the second frame painted over in white.
        let first = try GDImage(width: 30, height: 20)
        first.fillRectangle(x1: 0, y1: 0, x2: 29, y2: 19, red: 200, green: 0, blue: 0)
        let single = try first.encoded(as: .gif)
        let packed = single[10]
        let table = packed & 0x80 != 0 ? 3 << (Int(packed & 7) + 1) : 0
        var at = 13 + table
        while single[at] == 0x21 { // extensions before the image: label, then sub-blocks to a 0
            at += 2
            while single[at] != 0 { at += Int(single[at]) + 1 }
            at += 1
        }
        #expect(single[at] == 0x2C && single.last == 0x3B)
        let white = try GDImage(width: 30, height: 20)
        white.fillRectangle(x1: 0, y1: 0, x2: 29, y2: 19, red: 255, green: 255, blue: 255)
        let other = try white.encoded(as: .gif)
        var otherAt = 13 + (other[10] & 0x80 != 0 ? 3 << (Int(other[10] & 7) + 1) : 0)
        while other[otherAt] == 0x21 { otherAt += 2; while other[otherAt] != 0 { otherAt += Int(other[otherAt]) + 1 }; otherAt += 1 }
        // The second frame's image block with its own (local) colour table would be exact; its global-table indexes
        // are close enough here: the first frame is the one checked.
        let animated = Array(single.dropLast()) + Array(other[otherAt..<(other.count - 1)]) + [0x3B]
        let output = try run(animated, .gif, "flip", #"{"format": "png"}"#)
        #expect((output.width, output.height) == (30, 20))
        let shown = try decoded(output)
        #expect(shown.pixel(x: 15, y: 10) >> 16 & 0xFF > 150 && shown.pixel(x: 15, y: 10) & 0xFF < 60, "the first frame, red")
    }

    @Test func eachEXIFOrientationIsAppliedBeforeTheSteps() throws {
        // Four quadrants of one colour each, big enough to survive JPEG: stored 64×32.
        let (w, h) = (64, 32)
        let colours: [UInt32] = [0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF] // top left, top right, bottom left, bottom right
        let stored = try GDImage(width: w, height: h)
        for (i, colour) in colours.enumerated() {
            let x = i % 2 * w / 2, y = i / 2 * h / 2
            stored.fillRectangle(x1: x, y1: y, x2: x + w / 2 - 1, y2: y + h / 2 - 1,
                                 red: Int(colour >> 16 & 0xFF), green: Int(colour >> 8 & 0xFF), blue: Int(colour & 0xFF))
        }
        let jpeg = try stored.jpeg(quality: 95)
        func quadrant(_ x: Int, _ y: Int) -> UInt32 { colours[(y < h / 2 ? 0 : 2) + (x < w / 2 ? 0 : 1)] }
        // Where each upright pixel comes from in the stored image (EXIF 2.32, tag 0x0112).
        let source: [Int: (Int, Int) -> (Int, Int)] = [
            1: { x, y in (x, y) }, 2: { x, y in (w - 1 - x, y) }, 3: { x, y in (w - 1 - x, h - 1 - y) }, 4: { x, y in (x, h - 1 - y) },
            5: { x, y in (y, x) }, 6: { x, y in (y, h - 1 - x) }, 7: { x, y in (w - 1 - y, h - 1 - x) }, 8: { x, y in (w - 1 - y, x) },
        ]
        for orientation in 1...8 {
            let tagged = Array(jpeg.prefix(2)) + exifSegment(orientation: orientation) + Array(jpeg.dropFirst(2))
            let path = NSTemporaryDirectory() + "/orientation-\(orientation)-\(UUID().uuidString).jpg"
            try Data(tagged).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let operation = try ImageOperation.decode(algorithm: .string("brightness"), params: try JSONParser.parse(Array(#"{"value": 0, "format": "png"}"#.utf8))).get()
            let upright = try decoded(try ImageProcessor.process(path: path, mime: "image/jpeg", operation: operation, limits: Limits()))
            #expect((upright.width, upright.height) == (orientation >= 5 ? (h, w) : (w, h)), "orientation \(orientation): size")
            var wrong = 0
            for (x, y) in [(4, 4), (upright.width - 5, 4), (4, upright.height - 5), (upright.width - 5, upright.height - 5)] {
                let (sx, sy) = source[orientation]!(x, y)
                let expected = quadrant(sx, sy), got = upright.pixel(x: x, y: y)
                let close = [16, 8, 0].allSatisfy { abs(Int(got >> $0 & 0xFF) - Int(expected >> $0 & 0xFF)) < 40 }
                if !close { wrong += 1 }
            }
            #expect(wrong == 0, "orientation \(orientation): \(wrong) corners out of place")
            // auto_orient: false leaves the stored layout.
            let asStored = try ImageOperation.decode(algorithm: .string("negate"), params: try JSONParser.parse(Array(#"{"auto_orient": false}"#.utf8))).get()
            #expect(try ImageProcessor.process(path: path, mime: "image/jpeg", operation: asStored, limits: Limits()).width == w)
        }
    }

    /// An `Exif` APP1 segment (big-endian TIFF) holding only the orientation tag.
    func exifSegment(orientation: Int) -> [UInt8] {
        let tiff: [UInt8] = [0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, UInt8(orientation), 0, 0, 0, 0, 0, 0]
        let payload = Array("Exif\0\0".utf8) + tiff
        return [0xFF, 0xE1, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
    }

    @Test func refusesBadInputWithItsReason() throws {
        let jpeg = try gradient(200, 100).jpeg()
        let truncated = Array(jpeg.prefix(jpeg.count / 2))
        #expect(throws: ImagingError.truncated(format: "JPEG")) { try run(truncated, .jpeg, "negate", "null") }
        #expect(throws: ImagingError.self) { try run(Array("GIF89a but not really".utf8), .gif, "negate", "null") }
        // A PNG header claiming 100000×100000, refused before any decoding.
        var huge = Array(try gradient(2, 2).png().prefix(33))
        huge.replaceSubrange(16..<24, with: [0x00, 0x01, 0x86, 0xA0, 0x00, 0x01, 0x86, 0xA0])
        #expect(throws: ImagingError.sideTooLong(width: 100_000, height: 100_000, limit: 16_384)) { try run(huge, .png, "negate", "null") }
        var limits = Limits()
        limits.maxImagePixels = 10_000
        #expect(throws: ImagingError.tooManyPixels(width: 200, height: 100, limit: 10_000)) { try run(jpeg, .jpeg, "negate", "null", limits: limits) }
        limits = Limits()
        limits.maxImageBytes = 100
        #expect(throws: ImagingError.tooLarge(bytes: jpeg.count, limit: 100)) { try run(jpeg, .jpeg, "negate", "null", limits: limits) }
        #expect(throws: ImagingError.unsupportedType("image/bmp")) { try GDImage.decode(jpeg, mime: "image/bmp", limits: Limits()) }
        // A step that would leave twice the bounds is refused before libgd allocates it: a 1×16384 image resized to
        // 300 wide would be 300×4915200 (5.9 GB); a 45° turn of a long strip grows its bounding box.
        let strip = try GDImage(width: 1, height: 16_384).png()
        #expect(throws: ImagingError.sideTooLong(width: 300, height: 4_915_200, limit: 32_768)) { try run(strip, .png, "resize", #"{"width": 300}"#) }
        var small = Limits()
        small.maxImagePixels = 5_000
        #expect(throws: ImagingError.tooManyPixels(width: 8000, height: 8000, limit: 10_000)) {
            try run(try gradient(50, 50).png(), .png, "resize", #"{"width": 8000}"#, limits: small)
        }
        #expect(throws: ImagingError.tooManyPixels(width: 71, height: 71, limit: 5_000)) {
            var tight = Limits()
            tight.maxImagePixels = 2_500
            return try run(try gradient(50, 50).png(), .png, "rotate", #"{"degrees": 45}"#, limits: tight)
        }
    }
}
