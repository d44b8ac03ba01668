/// What an image Sluice works with must be: a JPEG, PNG, WebP or GIF by its bytes, whose size its header tells and
/// which is within the image limits. One rule for a photo downloaded from a URL, a stored file attached by id, and an
/// image task's input.
public enum PhotoRule {
    /// The types a photo (or an image task's input) may have, by the bytes.
    public static let types: Set<String> = ["image/jpeg", "image/png", "image/webp", "image/gif"]

    /// What the image is for, as the messages name it.
    public enum Use: Sendable {
        case photo, taskInput
        var noun: String { self == .photo ? "a photo" : "an image task's input" }
    }

    /// Why `bytes` bytes sniffed as `mime`, with `size` read from their header (nil: unreadable) and running to their
    /// end or not (`complete`, `ImageTrailer`), cannot be a photo; nil when they can.
    public static func problem(mime: String?, bytes: Int, size: ImageHeader?, complete: Bool, limits: Limits, for use: Use = .photo) -> String? {
        let not = "not \(use.noun)"
        if bytes == 0 { return "\(not): the file is empty (0 bytes)" }
        guard let mime, types.contains(mime) else {
            return "\(not): the bytes are \(mime ?? "of no known type"); \(use.noun) must be a JPEG, PNG, WebP or GIF image"
        }
        if bytes > limits.maxImageBytes {
            return "\(not): \(bytes) bytes, over the limit of \(limits.maxImageBytes) bytes (\(limits.maxImageBytes >> 20) MiB)"
        }
        guard let size, size.width > 0, size.height > 0 else {
            return "\(not): the \(mime) header does not say the image's size"
        }
        if size.width > limits.maxImageSide || size.height > limits.maxImageSide {
            return "\(not): \(size.width)×\(size.height) is over the limit of \(limits.maxImageSide) pixels a side"
        }
        if size.width * size.height > limits.maxImagePixels {
            return "\(not): \(size.width)×\(size.height) is \(size.width * size.height) pixels, over the limit of \(limits.maxImagePixels)"
        }
        guard complete else { return "\(not): the \(mime) bytes stop before the image ends (truncated)" }
        return nil
    }
}
