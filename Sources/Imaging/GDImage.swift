import CGD
#if canImport(Glibc)
import Glibc
#endif

/// A truecolor libgd image; owns its `gdImagePtr` and frees it in `deinit`.
public final class GDImage {
    /// Most pixels decoded by default: 40 megapixels (≈160 MB as truecolor).
    public static let defaultPixelLimit = 40_000_000

    let pointer: gdImagePtr

    private init(_ pointer: gdImagePtr) { self.pointer = pointer }

    deinit { gdImageDestroy(pointer) }

    /// A new image, transparent black.
    public convenience init(width: Int, height: Int) throws(ImagingError) {
        GDSetup.once()
        guard width > 0, height > 0, width <= 1 << 15, height <= 1 << 15,
              let image = gdImageCreateTrueColor(Int32(width), Int32(height)) else {
            throw .invalidSize(width: width, height: height)
        }
        self.init(image)
    }

    /// Decodes PNG bytes, refusing more than `pixelLimit` pixels before decoding.
    public convenience init(png bytes: [UInt8], pixelLimit: Int = GDImage.defaultPixelLimit) throws(ImagingError) {
        GDSetup.once()
        guard let header = ImageHeader.read(bytes) else { throw .undecodable(format: "PNG") }
        guard header.width > 0, header.height > 0 else { throw .invalidSize(width: header.width, height: header.height) }
        guard header.width * header.height <= pixelLimit else {
            throw .tooManyPixels(width: header.width, height: header.height, limit: pixelLimit)
        }
        let decoded = bytes.withUnsafeBytes { buffer in
            gdImageCreateFromPngPtr(Int32(buffer.count), UnsafeMutableRawPointer(mutating: buffer.baseAddress))
        }
        guard let decoded else { throw .undecodable(format: "PNG") }
        // Palette images crash some operations of this libgd build: work in truecolor only.
        if sluice_gd_truecolor(decoded) == 0 { gdImagePaletteToTrueColor(decoded) }
        self.init(decoded)
    }

    public var width: Int { Int(sluice_gd_sx(pointer)) }
    public var height: Int { Int(sluice_gd_sy(pointer)) }

    /// The pixel at (x, y) as 0xAARRGGBB with libgd's 7-bit alpha (0 opaque … 127 transparent).
    public func pixel(x: Int, y: Int) -> UInt32 { UInt32(bitPattern: gdImageGetTrueColorPixel(pointer, Int32(x), Int32(y))) }

    public func setPixel(x: Int, y: Int, red: Int, green: Int, blue: Int, alpha: Int = 0) {
        gdImageSetPixel(pointer, Int32(x), Int32(y), Int32(alpha << 24 | red << 16 | green << 8 | blue))
    }

    /// Encodes as PNG.
    public func png() throws(ImagingError) -> [UInt8] {
        var size: Int32 = 0
        guard let data = gdImagePngPtr(pointer, &size) else { throw .encodingFailed(format: "PNG") }
        defer { gdFree(data) }
        return Array(UnsafeRawBufferPointer(start: data, count: Int(size)))
    }
}

/// Process-wide libgd set-up: silence its stderr messages (errors come back as `ImagingError`).
enum GDSetup {
    private static let done: Void = { sluice_gd_silence() }()
    static func once() { _ = done }
}
