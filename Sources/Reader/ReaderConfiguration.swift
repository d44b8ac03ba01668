public import SluiceCore

/// How the reader is reached and protected.
public struct ReaderConfiguration: Sendable {
    public var root: String
    public var host = "127.0.0.1"
    public var port = 8000
    /// When set, every route but `/healthz` and the browse page needs `X-API-KEY` with this value (seed 004).
    public var apiKey: String?
    /// Where photos are served, as pets name them (`--base-url`).
    public var baseURL = PhotoURL.defaultBase
    /// Seconds a connection may stay idle (no request coming, none answered) before it is closed.
    public var idleTimeout: Double = 30
    /// Most bytes of one request's headers, all of them together (a larger request is refused).
    public var maxHeaderBytes = 32 << 10
    /// Most header fields in one request.
    public var maxHeaderFields = 100

    public init(root: String) { self.root = root }
}
