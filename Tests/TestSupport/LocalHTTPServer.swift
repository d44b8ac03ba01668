import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A real HTTP server on 127.0.0.1 (an ephemeral port) with the well-behaved and hostile routes the tests need.
///
/// Routes: `/bytes/<n>` (n bytes, with length), `/chunked/<n>` (n bytes, no length), `/png`, `/status/<code>`
/// (429/503 carry `Retry-After: 0`), `/flaky/<key>/<failures>` (503 that many times, then 200),
/// `/named?cd=<Content-Disposition>`, `/redirect-loop`, `/redirect-file`, `/redirect-to/<n>` (→ /bytes/n),
/// `/stall` (10 bytes, then silence), `/slow/<ms>/<n>` (n bytes after ms), `/static/<name>` (files registered with `serve`),
/// `/slowly/<ms>/<name>` (one of those after ms).
public final class LocalHTTPServer: Sendable {
    public let port: Int
    private let task: Task<Void, any Error>
    private let state: ServerState

    public var base: String { "http://127.0.0.1:\(port)" }

    /// Starts the server and waits until it listens.
    public static func start() async throws -> LocalHTTPServer {
        let state = ServerState()
        let router = Router()
        router.get("/bytes/:n") { _, context -> Response in
            let n = Int(context.parameters.get("n") ?? "0") ?? 0
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: ByteBuffer(bytes: pattern(n))))
        }
        router.get("/chunked/:n") { _, context -> Response in
            let n = Int(context.parameters.get("n") ?? "0") ?? 0
            return Response(status: .ok, body: ResponseBody { writer in
                let all = pattern(n)
                var offset = 0
                do {
                    while offset < n {
                        let chunk = min(n - offset, 65536)
                        try await writer.write(ByteBuffer(bytes: all[offset..<(offset + chunk)]))
                        offset += chunk
                    }
                } catch {} // the client hung up (a byte cap): still finish, as NIO requires
                try? await writer.finish(nil)
            })
        }
        router.get("/png") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + pattern(100))))
        }
        router.get("/status/:code") { _, context -> Response in
            let code = Int(context.parameters.get("code") ?? "500") ?? 500
            var headers: HTTPFields = [:]
            if code == 429 || code == 503 { headers[.retryAfter] = "0" }
            return Response(status: .init(code: code), headers: headers, body: .init(byteBuffer: ByteBuffer(string: "status \(code)")))
        }
        router.get("/flaky/:key/:failures") { _, context -> Response in
            let key = context.parameters.get("key") ?? ""
            let failures = Int(context.parameters.get("failures") ?? "1") ?? 1
            let count = state.hits.withLock { h -> Int in h[key, default: 0] += 1; return h[key]! }
            if count <= failures { return Response(status: .serviceUnavailable, headers: [.retryAfter: "0"]) }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "finally \(key)")))
        }
        router.get("/named") { request, _ -> Response in
            let cd = request.uri.queryParameters.get("cd") ?? ""
            return Response(status: .ok, headers: [.contentDisposition: cd], body: .init(byteBuffer: ByteBuffer(string: "named body")))
        }
        router.get("/redirect-loop") { _, _ -> Response in Response(status: .found, headers: [.location: "/redirect-loop"]) }
        router.get("/redirect-file") { _, _ -> Response in Response(status: .found, headers: [.location: "file:///etc/passwd"]) }
        router.get("/redirect-to/:n") { _, context -> Response in
            Response(status: .found, headers: [.location: "/bytes/\(context.parameters.get("n") ?? "1")"])
        }
        router.get("/stall") { _, _ -> Response in
            Response(status: .ok, headers: [.contentLength: "1000"], body: ResponseBody { writer in
                try? await writer.write(ByteBuffer(string: "0123456789"))
                // Silence, then finish whatever happened meanwhile: NIO requires finish() on every writer.
                do { try await Task.sleep(for: .seconds(5)) } catch {}
                try? await writer.finish(nil)
            })
        }
        router.get("/slow/:ms/:n") { _, context -> Response in
            let ms = Int(context.parameters.get("ms") ?? "0") ?? 0
            let n = Int(context.parameters.get("n") ?? "0") ?? 0
            try await Task.sleep(for: .milliseconds(ms))
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: LocalHTTPServer.pattern(n))))
        }
        router.get("/slowly/:ms/:name") { _, context -> Response in
            let name = context.parameters.get("name") ?? ""
            state.started.withLock { $0[name, default: 0] += 1 }
            try await Task.sleep(for: .milliseconds(Int(context.parameters.get("ms") ?? "0") ?? 0))
            state.answered.withLock { $0[name, default: 0] += 1 }
            guard let bytes = state.files.withLock({ $0[name] }) else { return Response(status: .notFound) }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.get("/static/:name") { _, context -> Response in
            guard let bytes = state.files.withLock({ $0[context.parameters.get("name") ?? ""] }) else { return Response(status: .notFound) }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) })
        // The server's tasks run on threads of their own: a test that blocks a thread of the shared pool while it
        // waits (a synchronous poll) must never starve the server it is waiting on.
        let task = Task { try await withTaskExecutorPreference(ServerExecutor.shared) { try await app.runService() } }
        var port = 0
        for await p in stream { port = p; break }
        return LocalHTTPServer(port: port, task: task, state: state)
    }

    private init(port: Int, task: Task<Void, any Error>, state: ServerState) {
        self.port = port
        self.task = task
        self.state = state
    }

    /// Serves `bytes` at `/static/<name>`.
    public func serve(_ name: String, _ bytes: [UInt8]) { state.files.withLock { $0[name] = bytes } }

    public func stop() { task.cancel() }

    /// How many requests of `/slowly/<ms>/<name>` began, and how many were answered.
    public func slowly(_ name: String) -> (started: Int, answered: Int) {
        (state.started.withLock { $0[name, default: 0] }, state.answered.withLock { $0[name, default: 0] })
    }

    /// Deterministic bytes: `i % 251`.
    public static func pattern(_ n: Int) -> [UInt8] { (0..<n).map { UInt8($0 % 251) } }
}

private func pattern(_ n: Int) -> [UInt8] { LocalHTTPServer.pattern(n) }

/// What the routes remember between requests.
/// Runs the test servers' tasks on dispatch threads outside Swift's cooperative pool.
final class ServerExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = ServerExecutor()
    private let queue = DispatchQueue(label: "test-http-server", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

final class ServerState: Sendable {
    let hits = Mutex<[String: Int]>([:])
    let files = Mutex<[String: [UInt8]]>([:])
    /// Requests of `/slowly/<ms>/<name>` by name: begun, and answered once their delay was over.
    let started = Mutex<[String: Int]>([:])
    let answered = Mutex<[String: Int]>([:])
}
