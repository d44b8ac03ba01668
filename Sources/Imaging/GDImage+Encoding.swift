import CGD
public import SluiceCore

extension GDImage {
    /// Encodes as `format`; `quality` (1…100) for JPEG, WebP and AVIF, else their defaults (85, 80, 60). PNG, WebP
    /// and AVIF keep the alpha channel; JPEG has none.
    public func encoded(as format: ImageFormat, quality: Int? = nil) throws(ImagingError) -> [UInt8] {
        _ = sluice_gd_take_error()
        var size: Int32 = 0
        let data: UnsafeMutableRawPointer?
        switch format {
        case .jpeg: data = sluice_gd_jpeg(pointer, &size, Int32(quality ?? 85))
        case .png: sluice_gd_save_alpha(pointer, 1); data = sluice_gd_png(pointer, &size)
        case .webp: sluice_gd_save_alpha(pointer, 1); data = sluice_gd_webp(pointer, &size, Int32(quality ?? 80))
        case .gif: data = sluice_gd_gif(pointer, &size)
        case .avif: sluice_gd_save_alpha(pointer, 1); data = sluice_gd_avif(pointer, &size, Int32(quality ?? 60), 8)
        }
        guard let data, size > 0 else { throw .encodingFailed(format: format.name, detail: String(cString: sluice_gd_take_error())) }
        defer { sluice_gd_free(data) }
        return Array(UnsafeRawBufferPointer(start: data, count: Int(size)))
    }

    /// Encodes as PNG.
    public func png() throws(ImagingError) -> [UInt8] { try encoded(as: .png) }

    /// Encodes as JPEG (`quality` 1…100).
    public func jpeg(quality: Int = 85) throws(ImagingError) -> [UInt8] { try encoded(as: .jpeg, quality: quality) }
}
