import HTTPTypes
import Synchronization

/// What `KeptFileAnswerer` asks of the reader, shared by every connection: which request paths reach no route (the
/// outbox fallback records each path it answered whole with a file small enough to keep), and the kept file a plain
/// GET of such a path is answered with.
final class KeptFileAnswers: Sendable {
    let metrics: ReaderMetrics
    let serverName: String
    private let routes: ReaderRoutes
    private let apiKey: String?
    private let inFlight: InFlightRequests
    /// Raw request paths the router handed to the outbox fallback and answered with a small file, at most `capacity` of
    /// at most `longest` bytes each (emptied when full): 4 MiB at worst.
    private let unrouted = Mutex<Set<String>>([])
    static let capacity = 4096
    static let longest = 1024

    init(routes: ReaderRoutes, apiKey: String?, serverName: String, metrics: ReaderMetrics, inFlight: InFlightRequests) {
        self.routes = routes
        self.apiKey = apiKey
        self.serverName = serverName
        self.metrics = metrics
        self.inFlight = inFlight
    }

    /// Called by the outbox fallback with a path no route claimed, answered whole with a file small enough to keep
    /// (not before: a missing path is never noted; and nothing is looked up again to note it).
    func noteUnrouted(_ path: String) {
        guard path.utf8.count <= Self.longest, Self.isPlain(path) else { return }
        unrouted.withLock { paths in
            guard !paths.contains(path) else { return }
            if paths.count >= Self.capacity { paths.removeAll() }
            paths.insert(path)
        }
    }

    /// The kept file that answers `head` as the router would, or nil when the request is for Hummingbird to answer
    /// (see `KeptFileAnswerer` for the conditions).
    func kept(for head: HTTPRequest) -> OutboxFileCache.Kept? {
        guard head.method == .get, let path = head.path, Self.isPlain(path), !inFlight.isStopping else { return nil }
        let fields = head.headerFields
        if HTTPCaching.asksConditionOrRange(fields) || fields.contains(.transferEncoding) || (fields[.contentLength].map { $0 != "0" } ?? false) {
            return nil
        }
        if let connection = fields[.connection], connection.lowercased() != "keep-alive" { return nil }
        guard ReaderAccess.admits(path, fields, apiKey: apiKey), unrouted.withLock({ $0.contains(path) }) else { return nil }
        return routes.keptStaticFile(String(path.dropFirst()))
    }

    /// A path as the router and the fallback both take it whole: no query, no percent-encoding.
    private static func isPlain(_ path: String) -> Bool {
        path.utf8.first == UInt8(ascii: "/") && !path.utf8.contains { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "#") }
    }
}
