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
        #expect(ImageHeader.read(jpeg.prefix(1000)) == nil, "the size is past the bytes given")
        #expect(ImageHeader.read([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x10, 0x00, 0x20, 0x00]) == ImageHeader(width: 16, height: 32))
        #expect(ImageHeader.read(Array("<html>".utf8)) == nil)
    }

    @Test func aPhotoIsAnImageOfAKnownSizeWithinTheLimits() {
        let limits = Limits()
        #expect(PhotoRule.problem(mime: "image/png", size: ImageHeader(width: 800, height: 600), limits: limits) == nil)
        #expect(PhotoRule.problem(mime: "text/html", size: nil, limits: limits)?.contains("the bytes are text/html") == true)
        #expect(PhotoRule.problem(mime: "image/png", size: nil, limits: limits)?.contains("does not say the image's size") == true)
        #expect(PhotoRule.problem(mime: "image/png", size: ImageHeader(width: 100_000, height: 100_000), limits: limits)?
            .contains("over the limit of 16384 pixels a side") == true)
        #expect(PhotoRule.problem(mime: "image/webp", size: ImageHeader(width: 10_000, height: 10_000), limits: limits)?
            .contains("100000000 pixels, over the limit of 50000000") == true)
        #expect(PhotoRule.problem(mime: "image/tiff", size: ImageHeader(width: 10, height: 10), limits: limits) != nil, "TIFF is no photo")
    }
}
