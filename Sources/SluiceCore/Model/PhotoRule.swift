/// What a pet's photo must be: a JPEG, PNG, WebP or GIF by its bytes, whose size its header tells and which is
/// within the image limits. One rule for a photo downloaded from a URL and for a stored file attached by id.
public enum PhotoRule {
    /// The types a photo may have, by the bytes.
    public static let types: Set<String> = ["image/jpeg", "image/png", "image/webp", "image/gif"]

    /// Why `bytes` bytes sniffed as `mime`, with `size` read from their header (nil: unreadable) and running to their
    /// end or not (`complete`, `ImageTrailer`), cannot be a photo; nil when they can.
    public static func problem(mime: String?, bytes: Int, size: ImageHeader?, complete: Bool, limits: Limits) -> String? {
        guard let mime, types.contains(mime) else {
            return "not a photo: the bytes are \(mime ?? "of no known type"); a photo must be a JPEG, PNG, WebP or GIF image"
        }
        if bytes > limits.maxImageBytes {
            return "not a photo: \(bytes) bytes, over the limit of \(limits.maxImageBytes) bytes (\(limits.maxImageBytes >> 20) MiB)"
        }
        guard let size, size.width > 0, size.height > 0 else {
            return "not a photo: the \(mime) header does not say the image's size"
        }
        if size.width > limits.maxImageSide || size.height > limits.maxImageSide {
            return "not a photo: \(size.width)×\(size.height) is over the limit of \(limits.maxImageSide) pixels a side"
        }
        if size.width * size.height > limits.maxImagePixels {
            return "not a photo: \(size.width)×\(size.height) is \(size.width * size.height) pixels, over the limit of \(limits.maxImagePixels)"
        }
        guard complete else { return "not a photo: the \(mime) bytes stop before the image ends (truncated)" }
        return nil
    }
}
