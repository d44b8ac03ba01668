public import SluiceCore

/// How the reader is reached and protected.
public struct ReaderConfiguration: Sendable {
    public var root: String
    public var host = "127.0.0.1"
    public var port = 8000
    /// When set, every route but `/healthz` needs `X-API-KEY` with this value (seed 004).
    public var apiKey: String?
    /// Where photos are served, as pets name them (`--base-url`).
    public var baseURL = PhotoURL.defaultBase

    public init(root: String) { self.root = root }
}
