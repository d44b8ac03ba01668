import Hummingbird
import NIOCore
import SluiceCore
import Synchronization

/// Listing answers (`/files`, `/tasks`, `/pets`) kept with the catalogue version they were computed at. Every write
/// transaction that changes anything takes the next version (the rule the outbox's publication relies on too), so an
/// answer kept at the version a request's read transaction sees is that answer: the request costs one read of the
/// version, not a query and its JSON. Answers are keyed by route and parsed query, at most `largest` bytes each and
/// `capacity` in all (emptied when full: a client walking every page cannot grow it).
final class CatalogueAnswerCache: Sendable {
    struct Kept: Sendable {
        let version: Int64
        let bytes: ByteBuffer
        let etag: String
    }

    /// What a listing computes in a read transaction: a 200's JSON (kept), or another answer (never kept).
    enum Computed {
        case json([UInt8])
        case other(Response)
    }

    static let capacity = 512
    static let largest = 64 << 10

    private let state = Mutex<[String: Kept]>([:])

    /// The answer for `key`: the kept one while the catalogue is still at its version (read on its own, the cheapest
    /// question the store answers), else `compute`d in one read transaction with the version it is kept under.
    func answer(_ key: String, catalogue: any CatalogueStore, compute: (any CatalogueReading) throws -> Computed) throws -> Response {
        if let kept = state.withLock({ $0[key] }), try catalogue.currentVersion() == kept.version {
            return JSONResponse.make(kept.bytes, etag: kept.etag)
        }
        let (version, computed) = try catalogue.read { reading in (try reading.currentVersion(), try compute(reading)) }
        switch computed {
        case let .other(response):
            return response
        case let .json(bytes):
            let fresh = Kept(version: version, bytes: ByteBuffer(bytes: bytes), etag: HTTPCaching.etag(of: bytes))
            if bytes.count <= Self.largest {
                state.withLock { answers in
                    if answers.count >= Self.capacity && answers[key] == nil { answers.removeAll() }
                    answers[key] = fresh
                }
            }
            return JSONResponse.make(fresh.bytes, etag: fresh.etag)
        }
    }
}
