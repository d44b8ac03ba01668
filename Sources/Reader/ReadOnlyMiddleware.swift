import Hummingbird
import HTTPTypes
import SluiceCore

/// The API key when one is set (checked first: without it, nothing about a route is told, not even its methods),
/// GET and HEAD only (405 otherwise), and HEAD answered without a body; a request whose validators match the answer
/// gets a 304 (`HTTPCaching.conditional`).
struct ReadOnlyMiddleware<Context: RequestContext>: RouterMiddleware {
    let apiKey: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if !ReaderAccess.admits(request.uri.path, request.headers, apiKey: apiKey) {
            return JSONResponse.error(.unauthorized, "unauthorized")
        }
        guard request.method == .get || request.method == .head else {
            var response = JSONResponse.error(.methodNotAllowed, "the reader is read-only: use GET or HEAD; writes are request files dropped into inbox/")
            response.headers[.allow] = "GET, HEAD"
            return response
        }
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            response = JSONResponse.error(error.status, error.body ?? error.status.reasonPhrase)
        } catch let CatalogueError.storage(_, message) {
            response = JSONResponse.error(.serviceUnavailable, "the catalogue cannot be read: \(message)")
        }
        let answer = HTTPCaching.conditional(request, response)
        // HEAD: the headers only. The body is dropped unread (a file's stream never starts: nothing is read from disk).
        return request.method == .head ? answer.createHeadResponse() : answer
    }
}

/// Paths no route claims are static files under `outbox/` (`/` is `outbox/index.html`).
struct OutboxFallbackMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let routes: ReaderRoutes
    /// Told of each path handed here whose file is kept, which `KeptFileAnswerer` may then answer itself.
    let answers: KeptFileAnswers

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The router names the route it matched before that route's middleware runs; unnamed, this is the chain no
        // route claimed, whose end only throws "not found": the file is answered without that throw and its catch.
        let path = request.uri.path
        guard context.endpointPath != nil else {
            let response = try await routes.staticFile(String(path.dropFirst()), request: request, context: context)
            // A path that reached no route, answered whole with a file small enough to keep: `KeptFileAnswerer` may
            // answer it next time (once the file is kept).
            if response.status == .ok, let size = response.body.contentLength, size <= OutboxFileCache.largest { answers.noteUnrouted(path) }
            return response
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return try await routes.staticFile(String(path.dropFirst()), request: request, context: context)
        }
    }
}

/// Who may read what: with an API key set, every path but `open` needs it in `X-API-KEY`.
enum ReaderAccess {
    /// The health check, and the browse page itself (it holds no data; it asks for the key and sends it with every read).
    static let open: Set<String> = ["/healthz", "/", "/index.html"]
    static let keyField = HTTPField.Name("X-API-KEY")!

    /// Whether a request for `path` with `headers` may be answered.
    static func admits(_ path: String, _ headers: HTTPFields, apiKey: String?) -> Bool {
        guard let apiKey, !open.contains(path) else { return true }
        return sameKey(headers[keyField], apiKey)
    }

    /// Compares a given key with the expected one in time that depends on the given key's length only, never on
    /// where the two first differ.
    static func sameKey(_ given: String?, _ expected: String) -> Bool {
        guard let given else { return false }
        let a = Array(given.utf8), b = Array(expected.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<a.count { difference |= a[i] ^ (b.isEmpty ? 0 : b[i % b.count]) }
        return difference == 0
    }
}
