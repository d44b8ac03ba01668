import Testing
import Imaging

@Suite struct GDImageTests {
    @Test func encodesAndDecodesPNGThroughLibgd() throws {
        let image = try GDImage(width: 37, height: 21)
        image.setPixel(x: 0, y: 0, red: 255, green: 0, blue: 0)
        image.setPixel(x: 36, y: 20, red: 0, green: 128, blue: 255)
        let png = try image.png()
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(ImageHeader.read(png) == ImageHeader(width: 37, height: 21))
        let decoded = try GDImage(png: png)
        #expect(decoded.width == 37 && decoded.height == 21)
        #expect(decoded.pixel(x: 0, y: 0) & 0xFFFFFF == 0xFF0000)
        #expect(decoded.pixel(x: 36, y: 20) & 0xFFFFFF == 0x0080FF)
    }

    @Test func refusesTooManyPixelsBeforeDecoding() throws {
        let png = try GDImage(width: 300, height: 200).png()
        #expect(throws: ImagingError.tooManyPixels(width: 300, height: 200, limit: 50_000)) { try GDImage(png: png, pixelLimit: 50_000) }
    }

    @Test func refusesBytesThatAreNotPNG() {
        #expect(throws: ImagingError.undecodable(format: "PNG")) { try GDImage(png: Array("not an image".utf8)) }
        var truncated = [UInt8](repeating: 0, count: 40)
        truncated.replaceSubrange(0..<8, with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        truncated[19] = 4; truncated[23] = 4
        #expect(throws: ImagingError.undecodable(format: "PNG")) { try GDImage(png: truncated) }
    }
}
