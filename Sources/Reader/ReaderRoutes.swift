import Hummingbird
import HTTPTypes
import NIOCore
import SluiceCore
import Foundation

/// The routes of SPEC §7 that this reader answers.
struct ReaderRoutes: Sendable {
    let root: String
    let catalogue: any CatalogueStore
    let baseURL: String
    let metrics: ReaderMetrics
    /// Whether an API key guards the routes (stored bytes are then cached privately only).
    let keyed: Bool
    /// `outbox/`, where static paths are looked up.
    let outbox: OutboxDirectory
    /// Small outbox files as last read, answered again while `lstat` shows the same version.
    let outboxFiles = OutboxFileCache()
    /// Listing answers as last computed, answered again while the catalogue is at the same version.
    let listings = CatalogueAnswerCache()

    init(root: String, catalogue: any CatalogueStore, baseURL: String, metrics: ReaderMetrics, keyed: Bool) {
        self.root = root
        self.catalogue = catalogue
        self.baseURL = baseURL
        self.metrics = metrics
        self.keyed = keyed
        outbox = OutboxDirectory(path: root + "/" + RootLayout.outboxFolder)
    }

    func register(on router: Router<BasicRequestContext>) {
        let routes = self
        for method in [HTTPRequest.Method.get, .head] {
            router.on("/healthz", method: method) { _, _ in JSONResponse.make(.ok, Array(#"{"status":"ok"}"#.utf8)) }
            router.on("/openapi.json", method: method) { _, _ in JSONResponse.make(OpenAPIDocument.body, etag: OpenAPIDocument.etag) }
            router.on("/metrics", method: method) { _, _ in
                let text = routes.metrics.text(try routes.metrics.statistics { try routes.catalogue.read { try $0.statistics() } })
                return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .contentLength: "\(text.utf8.count)",
                                                      .cacheControl: HTTPCaching.noStore],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            }
            router.on("/files", method: method) { request, _ in try routes.files(request) }
            router.on("/file/:id", method: method) { _, context in try routes.file(context.parameters.get("id") ?? "") }
            router.on("/file/:id/download", method: method) { request, context in
                try await routes.download(context.parameters.get("id") ?? "", request: request, context: context)
            }
            router.on("/pets", method: method) { request, _ in try routes.pets(request) }
            router.on("/pets/:id", method: method) { request, context in
                try await routes.pet(context.parameters.get("id") ?? "", request: request, context: context)
            }
            router.on("/tasks", method: method) { request, _ in try routes.tasks(request) }
            router.on("/task/:id", method: method) { _, context in try routes.task(context.parameters.get("id") ?? "") }
            router.on("/status/:id", method: method) { _, context in try routes.status(context.parameters.get("id") ?? "") }
            router.on("/result/:id", method: method) { request, context in
                try await routes.result(context.parameters.get("id") ?? "", request: request, context: context)
            }
            router.on("/receipts/:name", method: method) { request, context in
                try await routes.staticFile("receipts/" + (context.parameters.get("name") ?? ""), request: request, context: context)
            }
        }
    }

    /// `GET /files?per_page=20&show_after_id=<uuid>` (seed 000): keyset pages in listing order.
    func files(_ request: Request) throws -> Response {
        try keysetPage(request, key: "files", noun: "file", seq: { id, reading in try reading.file(id: id)?.seq },
                       page: { after, limit, reading in try reading.files(afterSeq: after, limit: limit) },
                       write: { file, json in file.write(to: &json) })
    }

    /// `GET /tasks?per_page=20&show_after_id=<uuid>` (seed 001's task list), paged as `/files` is.
    func tasks(_ request: Request) throws -> Response {
        try keysetPage(request, key: "tasks", noun: "task", seq: { id, reading in try reading.task(id: id)?.seq },
                       page: { after, limit, reading in try reading.tasks(afterSeq: after, limit: limit) },
                       write: { task, json in task.write(to: &json) })
    }

    /// `{"<key>": [objects]}`: `per_page` (1…100, default 20) objects after the one `show_after_id` names, whose seq
    /// `seq` finds; 422 for a malformed parameter, 404 for an id of nothing. Kept per catalogue version (`listings`).
    private func keysetPage<T>(_ request: Request, key: String, noun: String, seq: (String, any CatalogueReading) throws -> Int64?,
                               page: (Int64, Int, any CatalogueReading) throws -> [T],
                               write: (T, inout JSONWriter) -> Void) throws -> Response {
        let query = request.uri.queryParameters
        var errors: [(path: String, messages: [String])] = []
        var perPage = 20
        if let raw = query.get("per_page") {
            if let n = Int(raw), (1...100).contains(n) { perPage = n } else { errors.append(("per_page", ["must be an integer from 1 to 100"])) }
        }
        var after: String?
        if let raw = query.get("show_after_id") {
            if let id = Identifier.canonical(raw) { after = id } else { errors.append(("show_after_id", ["not a valid UUID"])) }
        }
        if !errors.isEmpty { return invalidQuery(query, errors) }
        return try listings.answer("\(key) \(perPage) \(after ?? "")", catalogue: catalogue) { reading in
            var afterSeq: Int64 = 0
            if let after {
                // A well-formed id of nothing (deleted since the last page was read, say) is no such object, not a bad query.
                guard let found = try seq(after, reading) else {
                    return .other(JSONResponse.error(.notFound, "no \(noun) with id \(after) (deleted since the page before?): start again without show_after_id"))
                }
                afterSeq = found
            }
            let objects = try page(afterSeq, perPage, reading)
            var json = JSONWriter(capacity: 400 * objects.count + 16)
            json.beginObject(); json.key(key); json.beginArray()
            for object in objects { write(object, &json) }
            json.endArray(); json.endObject()
            return .json(json.bytes)
        }
    }

    /// `GET /pets?limit=20&offset=0&has_photos=true|false` (seed 004): `{"count", "items"}`, `count` being all the
    /// pets the filter matches. Kept per catalogue version (`listings`).
    func pets(_ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        var errors: [(path: String, messages: [String])] = []
        var limit = 20, offset = 0
        var hasPhotos: Bool?
        if let raw = query.get("limit") {
            if let n = Int(raw), (1...100).contains(n) { limit = n } else { errors.append(("limit", ["must be an integer from 1 to 100"])) }
        }
        if let raw = query.get("offset") {
            // Any count of digits is an offset; one past every pet (even past Int.max) lists none.
            if let n = Int(raw), n >= 0 { offset = n }
            else if !raw.isEmpty, raw.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) { offset = .max }
            else { errors.append(("offset", ["must be an integer of 0 or more"])) }
        }
        if let raw = query.get("has_photos") {
            switch raw {
            case "true": hasPhotos = true
            case "false": hasPhotos = false
            default: errors.append(("has_photos", ["must be true or false"]))
            }
        }
        if !errors.isEmpty { return invalidQuery(query, errors) }
        return try listings.answer("pets \(limit) \(offset) \(hasPhotos.map(String.init) ?? "")", catalogue: catalogue) { reading in
            let count = try reading.petCount(hasPhotos: hasPhotos)
            let pets = try reading.pets(hasPhotos: hasPhotos, offset: offset, limit: limit)
            var json = JSONWriter(capacity: 300 * pets.count + 32)
            json.beginObject()
            json.key("count"); json.int(count)
            json.key("items"); json.beginArray()
            for pet in pets { pet.write(to: &json, baseURL: baseURL) }
            json.endArray()
            json.endObject()
            return .json(json.bytes)
        }
    }

    /// `GET /pets/<id>`: the Pet, or 404. A name that is no id is a file of the published listing (`outbox/pets/`).
    func pet(_ raw: String, request: Request, context: BasicRequestContext) async throws -> Response {
        guard let id = Identifier.canonical(raw) else { return try await staticFile("pets/" + raw, request: request, context: context) }
        guard let pet = try catalogue.read({ try $0.pet(id: id) }) else { return JSONResponse.error(.notFound, "Pet with the matching ID was not found.") }
        return JSONResponse.make(.ok, pet.json(baseURL: baseURL))
    }

    /// 422 with seed 000's error shape, `data` being the query as given.
    private func invalidQuery(_ query: Parameters, _ errors: [(path: String, messages: [String])]) -> Response {
        var data: [(key: String, value: JSONValue)] = []
        for (key, value) in query { data.append((String(key), .string(String(value)))) }
        let failure = RequestFailure(status: 422, description: "Invalid query parameters.", data: .object(data), errors: errors)
        return JSONResponse.make(.unprocessableContent, failure.body)
    }

    /// The task `raw` names, or the 404 to answer.
    private func lookUpTask(_ raw: String) throws -> Result<TaskRecord, TaskNotFound> {
        guard let id = Identifier.canonical(raw) else { return .failure(TaskNotFound(response: JSONResponse.error(.notFound, "not a task id: expected a UUID"))) }
        guard let task = try catalogue.read({ try $0.task(id: id) }) else {
            return .failure(TaskNotFound(response: JSONResponse.error(.notFound, "Task with the matching ID was not found.")))
        }
        return .success(task)
    }

    private struct TaskNotFound: Error { var response: Response }

    /// `GET /task/<id>`: the Task, or 404.
    func task(_ raw: String) throws -> Response {
        switch try lookUpTask(raw) {
        case let .success(task): return JSONResponse.make(.ok, task.json)
        case let .failure(notFound): return notFound.response
        }
    }

    /// `GET /status/<id>` (seed 003): `{"status": "in_progress" | "ready" | "error"}`, with the error's reason.
    func status(_ raw: String) throws -> Response {
        let task: TaskRecord
        switch try lookUpTask(raw) {
        case let .success(found): task = found
        case let .failure(notFound): return notFound.response
        }
        var json = JSONWriter()
        json.beginObject()
        json.key("status"); json.string(task.progress)
        if let error = task.error, task.status == .error { json.key("error"); json.string(error) }
        json.endObject()
        return JSONResponse.make(.ok, json.bytes)
    }

    /// `GET /result/<id>` (seed 003): the result image of a finished task; 404 unknown (or its result File deleted),
    /// 409 while it is not finished.
    func result(_ raw: String, request: Request, context: BasicRequestContext) async throws -> Response {
        let task: TaskRecord
        switch try lookUpTask(raw) {
        case let .success(found): task = found
        case let .failure(notFound): return notFound.response
        }
        guard task.status == .finished else {
            let why = task.status == .error ? "the task ended in error: \(task.error ?? "no reason given")" : "the task is \(task.status.rawValue): its result is not ready yet"
            return JSONResponse.error(.conflict, why)
        }
        guard let resultID = task.resultID, let file = try catalogue.read({ try $0.file(id: resultID) }), let path = file.storedPath else {
            return JSONResponse.error(.notFound, "the task's result file was deleted")
        }
        return try await serveFile(root + "/" + path, contentType: file.mime ?? "application/octet-stream", cacheControl: HTTPCaching.storedBytes(keyed: keyed),
                                   extra: [.contentDisposition: ContentDispositionHeader.make("inline", file.name),
                                           HTTPField.Name("X-Content-Type-Options")!: "nosniff"],
                                   request: request, context: context)
    }

    /// `GET /file/<id>`: the File, or `{}` (seed 000).
    func file(_ raw: String) throws -> Response {
        guard let id = Identifier.canonical(raw) else { return JSONResponse.error(.notFound, "not a file id: expected a UUID") }
        guard let file = try catalogue.read({ try $0.file(id: id) }) else { return JSONResponse.make(.ok, Array("{}".utf8)) }
        return JSONResponse.make(.ok, file.json)
    }

    /// `GET /file/<id>/download`: the stored bytes with their sniffed type and their name. A photo's type (JPEG, PNG,
    /// WebP, GIF: never SVG or HTML, which could run script) is shown `inline`, so a pet's photo url opens as a picture;
    /// anything else is an `attachment`.
    func download(_ raw: String, request: Request, context: BasicRequestContext) async throws -> Response {
        guard let id = Identifier.canonical(raw), let file = try catalogue.read({ try $0.file(id: id) }) else {
            return JSONResponse.error(.notFound, "no file with this id")
        }
        guard file.status == .ready, let path = file.storedPath else {
            return JSONResponse.error(.conflict, "the file is \(file.status.rawValue), not ready: its bytes are not stored yet")
        }
        let shown = file.mime.map(PhotoRule.types.contains) ?? false
        return try await serveFile(root + "/" + path, contentType: file.mime ?? "application/octet-stream", cacheControl: HTTPCaching.storedBytes(keyed: keyed),
                                   extra: [.contentDisposition: ContentDispositionHeader.make(shown ? "inline" : "attachment", file.name),
                                           HTTPField.Name("X-Content-Type-Options")!: "nosniff"],
                                   request: request, context: context)
    }

    /// Anything else: a regular file inside `outbox/`, never a hidden name, a link or a path outside it. Its content
    /// changes (listings, objects): revalidated each time, by its ETag. A small one is answered from memory while it is
    /// the version last read (`OutboxFileCache`).
    func staticFile(_ relative: String, request: Request, context: BasicRequestContext) async throws -> Response {
        guard let resolved = StaticPath.resolve(relative, in: outbox) else {
            return JSONResponse.error(.notFound, "not found")
        }
        let contentType = StaticPath.contentType(resolved.path)
        if let kept = outboxFiles.kept(resolved.path, resolved.status) {
            // The common case (no validators, no range asked) costs no header built: the kept answer's are reused.
            if !HTTPCaching.asksConditionOrRange(request.headers) {
                return Response(status: .ok, headers: kept.headers, body: ResponseBody(byteBuffer: kept.bytes))
            }
            return answer(.kept(kept.bytes), size: kept.bytes.readableBytes, validators: kept.validators, contentType: contentType,
                          cacheControl: HTTPCaching.revalidate, extra: [:], request: request)
        }
        return try await serveFile(resolved.path, opening: resolved.open, contentType: contentType, cacheControl: HTTPCaching.revalidate, keepIn: outboxFiles,
                                   request: request, context: context)
    }

    /// The kept bytes and headers of the outbox file at `relative`, when it is kept and `lstat` still shows that version.
    func keptStaticFile(_ relative: String) -> OutboxFileCache.Kept? {
        guard let resolved = StaticPath.resolve(relative, in: outbox) else { return nil }
        return outboxFiles.kept(resolved.path, resolved.status)
    }

    /// Files up to this size are read whole as they are answered; larger ones (and ranges) stream.
    static let readAtOnce = 256 << 10

    /// A regular file's bytes with its validators (ETag, Last-Modified), `cacheControl`, and one byte range when the
    /// request asks for one (206, or 416 past the end; several ranges get the whole file). The file is opened first
    /// and everything comes from that descriptor: the validators, the length and the bytes are those of one version,
    /// even when the outbox renames a new one over the name meanwhile. A small file read whole is kept in `cache`.
    private func serveFile(_ path: String, opening: (() -> Int32)? = nil, contentType: String, cacheControl: String, extra: HTTPFields = [:],
                           keepIn cache: OutboxFileCache? = nil, request: Request, context: BasicRequestContext) async throws -> Response {
        let fd = opening?() ?? open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return JSONResponse.error(.notFound, "not found") }
        let file = OpenFile(fd: fd)
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return JSONResponse.error(.notFound, "not found") }
        let validators = HTTPCaching.Validators(status), version = status
        let keep = cache.map { cache in
            { (bytes: ByteBuffer, headers: HTTPFields) in cache.keep(path, fd: file.fd, before: version, bytes: bytes, validators: validators, headers: headers) }
        }
        return answer(.open(file, keep: keep), size: Int(status.st_size), validators: validators, contentType: contentType,
                      cacheControl: cacheControl, extra: extra, request: request)
    }

    /// Where an answer's bytes come from: memory, or a file open (whose bytes, when read whole, go to `keep` with the
    /// headers of a whole answer).
    private enum Source {
        case kept(ByteBuffer)
        case open(OpenFile, keep: ((ByteBuffer, HTTPFields) -> Void)?)
    }

    /// The answer of `size` bytes from `source`: a 304 when the request's validators match (before anything is read),
    /// the whole, or one range of it.
    private func answer(_ source: Source, size: Int, validators: HTTPCaching.Validators, contentType: String, cacheControl: String,
                        extra: HTTPFields, request: Request) -> Response {
        var headers = extra
        headers[.contentType] = contentType
        headers[.eTag] = validators.etag
        headers[.lastModified] = validators.lastModified
        headers[.acceptRanges] = "bytes"
        headers[.cacheControl] = cacheControl
        if HTTPCaching.notModified(request, etag: validators.etag, lastModified: validators.lastModified) {
            return HTTPCaching.notModifiedResponse(headers)
        }
        var range = HTTPCaching.range(request.headers[.range], size: size)
        // If-Range: the range only of the representation the client holds.
        if let ifRange = request.headers[.ifRange], ifRange != validators.etag { range = .whole }
        switch (range, source) {
        case let (.whole, .kept(bytes)):
            headers[.contentLength] = "\(size)"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: bytes))
        case let (.whole, .open(file, keep)) where size <= Self.readAtOnce && request.method != .head:
            // Small (listings, objects, receipts, thumbnails): read here, at once, without a hop to other threads. A
            // HEAD takes the stream below, which is dropped unstarted: nothing is read.
            guard let bytes = file.read(0..<size) else { return JSONResponse.error(.notFound, "not found") }
            headers[.contentLength] = "\(size)"
            keep?(bytes, headers)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: bytes))
        case let (.whole, .open(file, _)):
            headers[.contentLength] = "\(size)"
            return Response(status: .ok, headers: headers, body: file.stream(0..<size))
        case let (.part(bytes), source):
            headers[.contentLength] = "\(bytes.count)"
            headers[.contentRange] = "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(size)"
            let body: ResponseBody
            switch source {
            case let .kept(kept): body = ResponseBody(byteBuffer: kept.getSlice(at: kept.readerIndex + bytes.lowerBound, length: bytes.count)!)
            case let .open(file, _): body = file.stream(bytes.lowerBound..<(bytes.upperBound + 1))
            }
            return Response(status: .partialContent, headers: headers, body: body)
        case (.unsatisfiable, _):
            var response = JSONResponse.error(.rangeNotSatisfiable, "the range is past the end of the \(size) bytes")
            response.headers[.contentRange] = "bytes */\(size)"
            return response
        }
    }
}

/// An open file, closed when the last answer that reads it is done with it: sent, or dropped unsent (a HEAD).
final class OpenFile: Sendable {
    let fd: Int32

    init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// The bytes at `range`, or nil when they cannot all be read.
    func read(_ range: Range<Int>) -> ByteBuffer? {
        var buffer = ByteBufferAllocator().buffer(capacity: max(range.count, 1))
        let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: max(range.count, 1)) { raw in
            var done = 0
            while done < range.count {
                let n = pread(fd, raw.baseAddress! + done, range.count - done, off_t(range.lowerBound + done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                done += n
            }
            return done
        }
        return count == range.count ? buffer : nil
    }

    /// A body of the bytes at `range`, read 128 KiB at a time as it is written.
    func stream(_ range: Range<Int>) -> ResponseBody {
        ResponseBody(contentLength: range.count) { [self] writer in
            var offset = range.lowerBound
            while offset < range.upperBound {
                let chunk = min(128 << 10, range.upperBound - offset)
                guard let bytes = read(offset..<(offset + chunk)) else { throw SystemCallError.current("read", "a file being answered") }
                try await writer.write(bytes)
                offset += chunk
            }
            try await writer.finish(nil)
        }
    }
}

/// `Content-Disposition` (`attachment` or `inline`) with an ASCII fallback and the UTF-8 name (RFC 6266).
enum ContentDispositionHeader {
    static func make(_ disposition: String, _ name: String) -> String {
        let fallback = String(name.unicodeScalars.map { (0x20..<0x7F).contains($0.value) && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        let encoded = name.utf8.map { b -> String in
            let c = Character(Unicode.Scalar(b))
            return (b < 0x80 && (c.isLetter || c.isNumber || "-._~".contains(c))) ? String(c) : String(format: "%%%02X", b)
        }.joined()
        return "\(disposition); filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }
}
