import Hummingbird
import HTTPTypes
import SluiceCore

/// The API key when one is set (checked first: without it, nothing about a route is told, not even its methods),
/// GET and HEAD only (405 otherwise), and HEAD answered without a body; a request whose validators match the answer
/// gets a 304 (`HTTPCaching.conditional`).
struct ReadOnlyMiddleware<Context: RequestContext>: RouterMiddleware {
    let apiKey: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let apiKey, !ReaderAccess.open.contains(request.uri.path),
           !Self.sameKey(request.headers[HTTPField.Name("X-API-KEY")!], apiKey) {
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

/// Paths no route claims are static files under `outbox/` (`/` is `outbox/index.html`).
struct OutboxFallbackMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let routes: ReaderRoutes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return try await routes.staticFile(String(request.uri.path.dropFirst()), request: request, context: context)
        }
    }
}

/// Which paths answer without the API key.
enum ReaderAccess {
    /// The health check, and the browse page itself (it holds no data; it asks for the key and sends it with every read).
    static let open: Set<String> = ["/healthz", "/", "/index.html"]
}
