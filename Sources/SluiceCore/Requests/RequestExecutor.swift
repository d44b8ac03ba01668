/// Applies drops to the catalogue: each drop's effects, its jobs, its outbox marks and its receipt in one transaction.
public struct RequestExecutor: Sendable {
    public var decoder: RequestDecoder

    public init(limits: Limits = Limits()) { decoder = RequestDecoder(limits: limits) }

    /// Applies `drop` in `tx` and records its receipt; throws `CatalogueError.duplicateRequest` if it was applied before.
    @discardableResult
    public func apply(_ drop: Drop, in tx: any CatalogueWriting) throws -> RequestRecord {
        var destination = RootLayout.archivedDrop(drop.name, requestID: drop.requestID, rejected: false)
        let rejected = RootLayout.archivedDrop(drop.name, requestID: drop.requestID, rejected: true)
        var receipt = JSONWriter(capacity: 768)
        receipt.beginObject()
        receipt.key("id"); receipt.string(drop.requestID)
        receipt.key("request"); receipt.string(drop.name)
        receipt.key("received_at"); receipt.string(drop.receivedAt.iso8601)
        receipt.key("finished_at"); receipt.string(Timestamp.now().iso8601)

        func single(_ status: Int, _ body: [UInt8]) {
            receipt.key("status"); receipt.int(status)
            receipt.key("body"); receipt.raw(body)
        }

        switch drop.content {
        case let .refused(failure):
            destination = rejected
            single(failure.status, failure.body)
        case let .upload(type, size):
            var file = FileRecord(id: drop.requestID, url: nil, name: drop.name,
                                  fileExtension: Drop.uploadExtension(name: drop.name, type: type),
                                  mime: type.mime, kind: type.kind, size: size, addedAt: drop.receivedAt, status: .ready)
            try tx.insertFile(&file)
            destination = file.storedPath!
            single(200, file.json)
        case let .document(document):
            switch decoder.decodeDocument(document) {
            case let .failure(failure):
                destination = rejected
                single(failure.status, failure.body)
            case let .success(elements) where elements.count == 1 && !isArray(document):
                let (status, body) = try outcome(elements[0], in: tx)
                single(status, body)
            case let .success(elements):
                receipt.key("results"); receipt.beginArray()
                for element in elements {
                    let (status, body) = try outcome(element, in: tx)
                    receipt.beginObject()
                    receipt.key("status"); receipt.int(status)
                    receipt.key("body"); receipt.raw(body)
                    receipt.endObject()
                }
                receipt.endArray()
            }
        }
        receipt.endObject()
        let record = RequestRecord(id: drop.requestID, name: drop.name,
                                   receiptName: RootLayout.receiptName(for: drop.name, requestID: drop.requestID),
                                   receipt: receipt.bytes, destination: destination)
        try tx.insertRequest(record)
        return record
    }

    private func isArray(_ v: JSONValue) -> Bool { if case .array = v { return true } else { return false } }

    private func outcome(_ element: Result<Request, RequestFailure>, in tx: any CatalogueWriting) throws -> (Int, [UInt8]) {
        switch element {
        case let .failure(failure): return (failure.status, failure.body)
        case let .success(request):
            switch try perform(request, in: tx) {
            case let .success(body): return (200, body)
            case let .failure(failure): return (failure.status, failure.body)
            }
        }
    }

    /// One validated request's effects; a failure here (404, 409) leaves the catalogue as it was.
    func perform(_ request: Request, in tx: any CatalogueWriting) throws -> Result<[UInt8], RequestFailure> {
        switch request {
        case let .download(urls):
            var json = JSONWriter()
            json.beginObject(); json.key("files"); json.beginArray()
            let now = Timestamp.now()
            for url in urls {
                var file = FileRecord(id: Identifier.make(), url: url, name: "", addedAt: now, status: .pending)
                file.name = DownloadName.fromURL(url) ?? file.id
                try tx.insertFile(&file)
                try tx.enqueueJob(Job(id: Identifier.make(), kind: .download, subject: file.id, payload: url, notBefore: now))
                json.beginObject(); json.key("url"); json.string(url); json.key("id"); json.string(file.id); json.endObject()
            }
            json.endArray(); json.endObject()
            return .success(json.bytes)

        case let .fileUpdate(id, name, comment):
            guard let file = try tx.editFile(id: id, name: name, comment: comment) else { return .failure(notFound(id, request)) }
            return .success(file.json)

        case let .fileDelete(id):
            guard let file = try tx.file(id: id) else { return .failure(notFound(id, request)) }
            try tx.deleteFile(id: id)
            try tx.deleteJobs(subject: id)
            if let path = file.storedPath { try tx.addUnlink(path) }
            return .success(Array("{}".utf8))
        }
    }

    private func notFound(_ id: String, _ request: Request) -> RequestFailure {
        RequestFailure(status: 404, description: "File with the matching ID was not found.", data: .string(id),
                       errors: [("id", ["no file with id \(id)"])])
    }
}
