import CGD
import CJPEG
public import SluiceCore

extension GDImage {
    /// Decodes a JPEG, PNG, GIF (its first frame) or WebP, by `mime` (sniffed from the bytes), as truecolor.
    ///
    /// The size in the header is checked against `limits` before anything is decoded (libgd has no limit of its own:
    /// a 317 KB PNG of 10000×10000 decodes to 693 MB). A JPEG is decoded by libjpeg-turbo, at the smallest of 1/8,
    /// 2/8 … 8/8 of its size that is still at least `atLeast` (its DCT scaling: a thumbnail never costs a full
    /// decode); a truncated one is refused. A palette image becomes truecolor at once (some libgd operations crash on
    /// palette images).
    public static func decode(_ bytes: [UInt8], mime: String, limits: Limits, atLeast: (width: Int, height: Int)? = nil) throws(ImagingError) -> GDImage {
        try load()
        guard let format = ImageFormat(mime: mime) else { throw .unsupportedType(mime) }
        guard bytes.count <= limits.maxImageBytes else { throw .tooLarge(bytes: bytes.count, limit: limits.maxImageBytes) }
        guard let header = ImageHeader.read(bytes), header.width > 0, header.height > 0 else {
            throw .undecodable(format: format.name, detail: "its header gives no size")
        }
        try check(header.width, header.height, limits)
        _ = sluice_gd_take_error()
        if format == .jpeg, let image = try decodeJPEG(bytes, atLeast: atLeast, limits: limits) { return image }
        let decoded = bytes.withUnsafeBytes { buffer -> gdImagePtr? in
            let data = UnsafeMutableRawPointer(mutating: buffer.baseAddress)
            switch format {
            case .png: return sluice_gd_create_from_png(Int32(buffer.count), data)
            case .gif: return sluice_gd_create_from_gif(Int32(buffer.count), data)
            case .webp: return sluice_gd_create_from_webp(Int32(buffer.count), data)
            default: return sluice_gd_create_from_jpeg(Int32(buffer.count), data)
            }
        }
        guard let decoded else { throw .undecodable(format: format.name, detail: String(cString: sluice_gd_take_error())) }
        let image = GDImage(decoded)
        // The header was checked; what was decoded is checked too (a GIF's frame is not its screen).
        try check(image.width, image.height, limits)
        if sluice_gd_is_truecolor(decoded) == 0 && sluice_gd_palette_to_truecolor(decoded) == 0 {
            throw .operationFailed("could not convert the palette image to truecolor")
        }
        return image
    }

    /// Decodes PNG bytes (a test's and the demo's way in).
    public convenience init(png bytes: [UInt8], pixelLimit: Int = GDImage.defaultPixelLimit) throws(ImagingError) {
        var limits = Limits()
        limits.maxImagePixels = pixelLimit
        let image = try GDImage.decode(bytes, mime: "image/png", limits: limits)
        self.init(image.release())
    }

    private static func check(_ width: Int, _ height: Int, _ limits: Limits) throws(ImagingError) {
        guard width <= limits.maxImageSide, height <= limits.maxImageSide else {
            throw .sideTooLong(width: width, height: height, limit: limits.maxImageSide)
        }
        guard width * height <= limits.maxImagePixels else { throw .tooManyPixels(width: width, height: height, limit: limits.maxImagePixels) }
    }

    /// libjpeg-turbo's decode, scaled; nil for a JPEG it does not turn into RGB here (CMYK: libgd decodes those).
    private static func decodeJPEG(_ bytes: [UInt8], atLeast: (width: Int, height: Int)?, limits: Limits) throws(ImagingError) -> GDImage? {
        let result: Result<GDImage?, ImagingError> = bytes.withUnsafeBufferPointer { buffer in
            guard let jpeg = sluice_jpeg_open(buffer.baseAddress, UInt(buffer.count)) else { return .failure(.operationFailed("out of memory")) }
            defer { sluice_jpeg_close(jpeg) }
            if let problem = message(jpeg) { return .failure(.undecodable(format: "JPEG", detail: problem)) }
            var width: Int32 = 0, height: Int32 = 0
            sluice_jpeg_size(jpeg, &width, &height)
            // libjpeg's own reading of the size, checked too (it allocates by it).
            do throws(ImagingError) { try check(Int(width), Int(height), limits) } catch { return .failure(error) }
            let eighths = atLeast.map { scale(Int(width), Int(height), to: $0) } ?? 8
            var outWidth: Int32 = 0, outHeight: Int32 = 0
            guard sluice_jpeg_start(jpeg, Int32(eighths), &outWidth, &outHeight) != 0 else {
                if let problem = message(jpeg), problem.hasPrefix("colour space") { return .success(nil) }
                return .failure(.undecodable(format: "JPEG", detail: message(jpeg) ?? ""))
            }
            guard let pointer = sluice_gd_create_truecolor(outWidth, outHeight) else {
                return .failure(.invalidSize(width: Int(outWidth), height: Int(outHeight)))
            }
            let image = GDImage(pointer)
            var truncated: Int32 = 0
            guard sluice_jpeg_read(jpeg, sluice_gd_rows(pointer), &truncated) != 0 else {
                return .failure(.undecodable(format: "JPEG", detail: message(jpeg) ?? ""))
            }
            return truncated != 0 ? .failure(.truncated(format: "JPEG")) : .success(image)
        }
        return try result.get()
    }

    private static func message(_ jpeg: OpaquePointer) -> String? {
        let text = String(cString: sluice_jpeg_error(jpeg))
        return text.isEmpty ? nil : text
    }

    /// The fewest eighths (1…8) at which a `width` × `height` JPEG still decodes to at least `target` on both sides.
    public static func scale(_ width: Int, _ height: Int, to target: (width: Int, height: Int)) -> Int {
        for eighths in 1...8 where (width * eighths + 7) / 8 >= target.width && (height * eighths + 7) / 8 >= target.height {
            return eighths
        }
        return 8
    }
}

extension ImageFormat {
    /// As messages name it: `JPEG`, `PNG`, …
    public var name: String { rawValue.uppercased() }
}
