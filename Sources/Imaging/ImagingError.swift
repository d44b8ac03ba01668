/// Why an image could not be read or written.
public enum ImagingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not an image libgd reads in this format.
    case undecodable(format: String)
    /// Width × height is over the limit; refused before decoding (libgd has no pixel limit of its own).
    case tooManyPixels(width: Int, height: Int, limit: Int)
    case encodingFailed(format: String)
    case invalidSize(width: Int, height: Int)
    /// libgd could not be loaded; the message says what to install.
    case unavailable(String)

    public var description: String {
        switch self {
        case let .undecodable(format): return "not a readable \(format) image"
        case let .tooManyPixels(w, h, limit): return "\(w)×\(h) is \(w * h) pixels, over the limit of \(limit)"
        case let .encodingFailed(format): return "could not encode \(format)"
        case let .invalidSize(w, h): return "invalid image size \(w)×\(h)"
        case let .unavailable(message): return message
        }
    }
}
