import CGD
import SluiceCore
#if canImport(Glibc)
import Glibc
#endif

/// A truecolor libgd image; owns its `gdImagePtr` and frees it in `deinit`.
///
/// libgd is loaded at the first image (`sluice_gd_load`); where it cannot be, every initialiser throws
/// `ImagingError.unavailable` saying what to install.
public final class GDImage {
    /// Most pixels decoded by default: 40 megapixels (≈160 MB as truecolor).
    public static let defaultPixelLimit = 40_000_000

    /// Replaced (the old one freed) by operations that make a new image, such as a scale.
    private(set) var pointer: gdImagePtr
    private var owned = true

    /// Takes ownership of an image libgd made.
    init(_ pointer: gdImagePtr) { self.pointer = pointer }

    deinit { if owned { sluice_gd_destroy(pointer) } }

    /// Hands the image over to a new owner; this object must not be used after.
    func release() -> gdImagePtr {
        owned = false
        return pointer
    }

    /// Makes `newImage` this image, freeing the old one.
    func replace(with newImage: gdImagePtr) {
        if newImage != pointer { sluice_gd_destroy(pointer) }
        pointer = newImage
    }

    /// A new image, transparent black.
    public convenience init(width: Int, height: Int) throws(ImagingError) {
        try Self.load()
        guard width > 0, height > 0, width <= 1 << 15, height <= 1 << 15,
              let image = sluice_gd_create_truecolor(Int32(width), Int32(height)) else {
            throw .invalidSize(width: width, height: height)
        }
        self.init(image)
    }

    public var width: Int { Int(sluice_gd_sx(pointer)) }
    public var height: Int { Int(sluice_gd_sy(pointer)) }

    /// The pixel at (x, y) as 0xAARRGGBB with libgd's 7-bit alpha (0 opaque … 127 transparent).
    public func pixel(x: Int, y: Int) -> UInt32 { UInt32(bitPattern: sluice_gd_get_truecolor_pixel(pointer, Int32(x), Int32(y))) }

    public func setPixel(x: Int, y: Int, red: Int, green: Int, blue: Int, alpha: Int = 0) {
        sluice_gd_set_pixel(pointer, Int32(x), Int32(y), Self.color(red, green, blue, alpha))
    }

    /// Fills the rectangle from (x1, y1) to (x2, y2), both corners included.
    public func fillRectangle(x1: Int, y1: Int, x2: Int, y2: Int, red: Int, green: Int, blue: Int) {
        sluice_gd_filled_rectangle(pointer, Int32(x1), Int32(y1), Int32(x2), Int32(y2), Self.color(red, green, blue, 0))
    }

    /// Fills the ellipse centred on (x, y), `width` × `height`.
    public func fillEllipse(x: Int, y: Int, width: Int, height: Int, red: Int, green: Int, blue: Int) {
        sluice_gd_filled_ellipse(pointer, Int32(x), Int32(y), Int32(width), Int32(height), Self.color(red, green, blue, 0))
    }

    /// Mirrors the image in place: left and right (`horizontally`), top and bottom (`vertically`).
    public func flip(horizontally: Bool = false, vertically: Bool = false) {
        if horizontally { sluice_gd_flip_horizontal(pointer) }
        if vertically { sluice_gd_flip_vertical(pointer) }
    }

    /// A copy turned by `quarterTurns` × 90° clockwise (libgd turns counter-clockwise: 90° clockwise is its 270°).
    public func rotated(clockwiseQuarterTurns quarterTurns: Int) throws(ImagingError) -> GDImage {
        let turns = ((quarterTurns % 4) + 4) % 4
        guard let turned = sluice_gd_rotate(pointer, Float((4 - turns) % 4 * 90), 0) else {
            throw .invalidSize(width: height, height: width)
        }
        return GDImage(turned)
    }

    /// The image as it should be seen, given its EXIF orientation (1–8, `ExifOrientation`): 2 and 4 mirror it, 3, 6
    /// and 8 turn it 180°, 90° clockwise and 90° counter-clockwise, 5 and 7 turn it a quarter and mirror it (the
    /// transpose and the transverse). 1, and anything else, leaves it as it is.
    public func oriented(exif orientation: Int) throws(ImagingError) -> GDImage {
        switch orientation {
        case 2: flip(horizontally: true); return self
        case 3: flip(horizontally: true, vertically: true); return self
        case 4: flip(vertically: true); return self
        case 5: let turned = try rotated(clockwiseQuarterTurns: 1); turned.flip(horizontally: true); return turned
        case 6: return try rotated(clockwiseQuarterTurns: 1)
        case 7: let turned = try rotated(clockwiseQuarterTurns: 3); turned.flip(horizontally: true); return turned
        case 8: return try rotated(clockwiseQuarterTurns: 3)
        default: return self
        }
    }

    static func color(_ red: Int, _ green: Int, _ blue: Int, _ alpha: Int) -> Int32 {
        Int32(alpha << 24 | red << 16 | green << 8 | blue)
    }

    /// Loads libgd once; throws what is missing when it cannot be.
    static func load() throws(ImagingError) {
        if let failure = sluice_gd_load() { throw .unavailable(String(cString: failure)) }
    }
}
