/// Why an image could not be read, changed or written: each case says it in words a task's `error` can carry.
public enum ImagingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not an image libgd reads in this format; `detail` is what the decoder said, if anything.
    case undecodable(format: String, detail: String = "")
    /// The bytes stop before the image's end.
    case truncated(format: String)
    /// Width × height is over the limit; refused before decoding (libgd has no pixel limit of its own).
    case tooManyPixels(width: Int, height: Int, limit: Int)
    /// A side is over the limit; refused before decoding.
    case sideTooLong(width: Int, height: Int, limit: Int)
    /// More bytes than an image may have.
    case tooLarge(bytes: Int, limit: Int)
    /// Not a type image tasks read.
    case unsupportedType(String)
    case encodingFailed(format: String, detail: String = "")
    case invalidSize(width: Int, height: Int)
    /// A step cannot apply to this image (a crop outside it, a filter libgd refused); the message says why.
    case operationFailed(String)
    /// libgd could not be loaded; the message says what to install.
    case unavailable(String)
    /// The result could not be written (a full disk): a failure of the machine, not of the image, worth trying again.
    case storage(String)

    public var description: String {
        switch self {
        case let .undecodable(format, detail): return "not a readable \(format) image" + (detail.isEmpty ? "" : " (\(detail))")
        case let .truncated(format): return "the \(format) image stops before its end (truncated)"
        case let .tooManyPixels(w, h, limit): return "\(w)×\(h) is \(w * h) pixels, over the limit of \(limit)"
        case let .sideTooLong(w, h, limit): return "\(w)×\(h) has a side over the limit of \(limit) pixels"
        case let .tooLarge(bytes, limit): return "\(bytes) bytes, over the limit of \(limit) bytes"
        case let .unsupportedType(mime): return "the bytes are \(mime); image tasks read JPEG, PNG, GIF and WebP"
        case let .encodingFailed(format, detail): return "could not encode \(format)" + (detail.isEmpty ? "" : " (\(detail))")
        case let .invalidSize(w, h): return "invalid image size \(w)×\(h)"
        case let .operationFailed(message): return message
        case let .unavailable(message): return message
        case let .storage(message): return message
        }
    }
}
