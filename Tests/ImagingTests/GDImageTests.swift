import Testing
import Imaging
import SluiceCore

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

    @Test func refusesBytesThatAreNotPNGSayingWhy() {
        #expect(throws: ImagingError.undecodable(format: "PNG", detail: "its header gives no size")) { try GDImage(png: Array("not an image".utf8)) }
        var truncated = [UInt8](repeating: 0, count: 40)
        truncated.replaceSubrange(0..<8, with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        truncated[19] = 4; truncated[23] = 4
        // libgd's own message comes with the error (routed there, not to stderr).
        let error = #expect(throws: ImagingError.self) { try GDImage(png: truncated) }
        guard case let .undecodable(format, detail)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(format == "PNG" && detail.contains("gd-png"))
    }

    @Test func drawsAndEncodesJPEGWhoseHeaderTellsItsSize() throws {
        let image = try GDImage(width: 120, height: 80)
        image.fillRectangle(x1: 0, y1: 0, x2: 119, y2: 79, red: 200, green: 230, blue: 255)
        image.fillEllipse(x: 60, y: 40, width: 50, height: 30, red: 180, green: 90, blue: 20)
        let jpeg = try image.jpeg(quality: 80)
        #expect(jpeg.starts(with: [0xFF, 0xD8, 0xFF]))
        #expect(ImageHeader.read(jpeg) == ImageHeader(width: 120, height: 80))
        #expect(ContentSniffer.sniff(jpeg).mime == "image/jpeg")
        let decoded = try GDImage(png: try image.png())
        #expect(decoded.pixel(x: 60, y: 40) & 0xFFFFFF == 0xB45A14, "the ellipse is drawn")
        #expect(decoded.pixel(x: 2, y: 2) & 0xFFFFFF == 0xC8E6FF)
    }
}
