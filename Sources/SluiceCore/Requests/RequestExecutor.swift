/// Applies drops to the catalogue: each drop's effects, its jobs, its outbox marks and its receipt in one transaction.
public struct RequestExecutor: Sendable {
    public var decoder: RequestDecoder
    /// Where the reader serves photos (`--base-url`): receipts and pets name their photos' urls with it.
    public var baseURL: String

    public init(limits: Limits = Limits(), baseURL: String = PhotoURL.defaultBase) {
        decoder = RequestDecoder(limits: limits)
        self.baseURL = baseURL
    }

    /// Applies `drop` in `tx` and records its receipt; throws `CatalogueError.duplicateRequest` if it was applied before.
    @discardableResult
    public func apply(_ drop: Drop, in tx: any CatalogueWriting) throws -> RequestRecord {
        var destination = RootLayout.archivedDrop(drop.name, requestID: drop.requestID, rejected: false)
        let rejected = RootLayout.archivedDrop(drop.name, requestID: drop.requestID, rejected: true)
        var receipt = JSONWriter(capacity: 768)
        receipt.beginObject()
        receipt.key("id"); receipt.string(drop.requestID)
        receipt.key("request"); receipt.string(drop.name)
        receipt.key("received_at"); receipt.timestamp(drop.receivedAt)
        receipt.key("finished_at"); receipt.timestamp(Timestamp.now())

        func single(_ status: Int, _ body: [UInt8]) {
            receipt.key("status"); receipt.int(status)
            receipt.key("body"); receipt.raw(body)
        }

        switch drop.content {
        case let .refused(failure):
            destination = rejected
            single(failure.status, failure.body)
        case let .upload(upload):
            // A name given with the upload is the user's, as a rename's is: no stage replaces it.
            var file = FileRecord(id: drop.requestID, url: nil, name: upload.name ?? drop.name,
                                  fileExtension: drop.uploadExtension(upload), comment: upload.comment ?? "",
                                  mime: upload.type.mime, kind: upload.type.kind, size: upload.size, addedAt: drop.receivedAt,
                                  status: .ready, nameSetByUser: upload.name != nil,
                                  imageSize: upload.imageSize, imageTruncated: upload.imageTruncated)
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
                let id = try queueDownload(url, now: now, in: tx)
                json.beginObject(); json.key("url"); json.string(url); json.key("id"); json.string(id); json.endObject()
            }
            json.endArray(); json.endObject()
            return .success(json.bytes)

        case let .fileUpdate(id, name, comment):
            guard let file = try tx.editFile(id: id, name: name, comment: comment) else { return .failure(notFound(id)) }
            return .success(file.json)

        case let .fileDelete(id):
            guard try deleteFile(id, in: tx) else { return .failure(notFound(id)) }
            return .success(Array("{}".utf8))

        case let .petCreate(name, age, type):
            var pet = PetRecord(id: Identifier.make(), name: name, age: age, type: type, createdAt: .now())
            try tx.insertPet(&pet)
            return .success(pet.json(baseURL: baseURL))

        case let .petPhoto(petID, source):
            guard try tx.pet(id: petID) != nil else { return .failure(petNotFound(petID, path: "pet_id")) }
            let photo: String
            switch source {
            case let .url(url):
                photo = try queueDownload(url, now: .now(), in: tx)
                try tx.attachPhoto(fileID: photo, petID: petID, ready: false)
            case let .file(id):
                guard let file = try tx.file(id: id) else { return .failure(notFound(id, path: "file_id")) }
                guard file.status == .ready else {
                    let why = file.error.map { " (\($0))" } ?? ""
                    return .failure(RequestFailure(status: 409, description: "The file is \(file.status.rawValue)\(why): only a stored image can be a photo.",
                                                   data: .string(id), errors: [("file_id", ["the file is \(file.status.rawValue), not ready"])]))
                }
                if let owner = try tx.photoOwner(fileID: id) {
                    return .failure(RequestFailure(status: 409, description: "The file is already a photo of pet \(owner).",
                                                   data: .string(id), errors: [("file_id", ["already a photo of pet \(owner)"])]))
                }
                if let problem = PhotoRule.problem(mime: file.mime, bytes: file.size, size: file.imageSize, complete: !file.imageTruncated,
                                                   limits: decoder.limits) {
                    return .failure(RequestFailure(status: 422, description: "The file cannot be a photo: \(problem).",
                                                   data: .string(id), errors: [("file_id", [problem])]))
                }
                photo = id
                try tx.attachPhoto(fileID: photo, petID: petID, ready: true)
            }
            var json = JSONWriter()
            json.beginObject()
            json.key("id"); json.string(photo)
            json.key("url"); json.string(PhotoURL.make(base: baseURL, photo: photo))
            json.endObject()
            return .success(json.bytes)

        case let .petsDelete(ids):
            return .success(try deletePets(ids, in: tx))

        case let .imageJob(fileIDs, operation, params):
            return try queueTasks(fileIDs, operation, params, in: tx)

        case let .taskRestart(id):
            guard let task = try tx.task(id: id) else {
                return .failure(RequestFailure(status: 404, description: "Task with the matching ID was not found.", data: .string(id),
                                               errors: [("id", ["no task with id \(id)"])]))
            }
            guard try tx.updateTask(id: id, stage: TaskStageUpdate(status: .pending), from: [.error]) else {
                return .failure(RequestFailure(status: 409, description: "The task is \(task.status.rawValue): only a task in error can be restarted.",
                                               data: .string(id), errors: [("id", ["the task is \(task.status.rawValue), not error"])]))
            }
            try tx.enqueueJob(Job(id: Identifier.make(), kind: .image, subject: id, payload: "", notBefore: .now()))
            return .success(try tx.task(id: id)!.json)
        }
    }

    /// Seeds 001/003: one pending task (and its job) per file named. Every file is checked first: one that is
    /// unknown (404), not stored yet (409) or no image a task can read (413, 422) fails the request, and no task is made.
    private func queueTasks(_ fileIDs: [String], _ operation: ImageOperation, _ params: JSONValue,
                            in tx: any CatalogueWriting) throws -> Result<[UInt8], RequestFailure> {
        for (i, id) in fileIDs.enumerated() {
            let path = "file_ids.\(i)"
            guard let file = try tx.file(id: id) else { return .failure(notFound(id, path: path)) }
            guard file.status == .ready else {
                return .failure(RequestFailure(status: 409, description: "The file is \(file.status.rawValue): only a stored image can be processed; drop the job again once it is ready.",
                                               data: .string(id), errors: [(path, ["the file is \(file.status.rawValue), not ready"])]))
            }
            if let problem = PhotoRule.problem(mime: file.mime, bytes: file.size, size: file.imageSize, complete: !file.imageTruncated,
                                               limits: decoder.limits, for: .taskInput) {
                let status = file.size > decoder.limits.maxImageBytes ? 413 : 422
                return .failure(RequestFailure(status: status, description: "The file cannot be processed: \(problem).",
                                               data: .string(id), errors: [(path, [problem])]))
            }
        }
        var stored = JSONWriter()
        stored.value(params)
        let now = Timestamp.now()
        var json = JSONWriter(capacity: 48 * fileIDs.count + 16)
        json.beginObject(); json.key("task_ids"); json.beginArray()
        for id in fileIDs {
            var task = TaskRecord(id: Identifier.make(), sourceID: id, status: .pending, algorithm: operation.algorithm,
                                  params: stored.bytes, createdAt: now)
            try tx.insertTask(&task)
            try tx.enqueueJob(Job(id: Identifier.make(), kind: .image, subject: task.id, payload: "", notBefore: now))
            json.string(task.id)
        }
        json.endArray(); json.endObject()
        return .success(json.bytes)
    }

    /// A File to download from `url` and its job; returns the File's id.
    private func queueDownload(_ url: String, now: Timestamp, in tx: any CatalogueWriting) throws -> String {
        var file = FileRecord(id: Identifier.make(), url: url, name: "", addedAt: now, status: .pending)
        file.name = DownloadName.fromURL(url) ?? file.id
        try tx.insertFile(&file)
        try tx.enqueueJob(Job(id: Identifier.make(), kind: .download, subject: file.id, payload: url, notBefore: now))
        return file.id
    }

    /// Deletes a File: its row (and its place among a pet's photos), its jobs, and its stored bytes. False when
    /// there is none.
    private func deleteFile(_ id: String, in tx: any CatalogueWriting) throws -> Bool {
        guard let file = try tx.file(id: id) else { return false }
        try tx.deleteFile(id: id)
        try tx.deleteJobs(subject: id)
        if let path = file.storedPath { try tx.addUnlink(path) }
        return true
    }

    /// Seed 004's bulk delete: each pet found is deleted with its photos (their Files, rows and bytes). Every id that
    /// deletes no pet gets an entry in `errors`, in the order given, with seed 004's one message, which is true of each
    /// case: no pet has an id that is not a string or not a UUID, and an id repeated in the request matches no pet
    /// any more the second time (the first deleted it, or found none either).
    private func deletePets(_ ids: [JSONValue], in tx: any CatalogueWriting) throws -> [UInt8] {
        var deleted = 0
        var errors = JSONWriter()
        errors.beginArray()
        func notFound(_ id: JSONValue) {
            errors.beginObject(); errors.key("id"); errors.value(id); errors.key("error"); errors.string(Self.petNotFoundMessage); errors.endObject()
        }
        for value in ids {
            // A repeated id needs no bookkeeping: the first deleted the pet (or found none), so the second finds none.
            guard case let .string(raw) = value, let id = Identifier.canonical(raw),
                  let photos = try tx.deletePet(id: id) else { notFound(value); continue }
            for photo in photos { _ = try deleteFile(photo, in: tx) }
            deleted += 1
        }
        errors.endArray()
        var json = JSONWriter(capacity: errors.bytes.count + 32)
        json.beginObject()
        json.key("deleted"); json.int(deleted)
        json.key("errors"); json.raw(errors.bytes)
        json.endObject()
        return json.bytes
    }

    /// Seed 004's message for a pet id that matches none.
    static let petNotFoundMessage = "Pet with the matching ID was not found."

    private func petNotFound(_ id: String, path: String) -> RequestFailure {
        RequestFailure(status: 404, description: Self.petNotFoundMessage, data: .string(id), errors: [(path, ["no pet with id \(id)"])])
    }

    private func notFound(_ id: String, path: String = "id") -> RequestFailure {
        RequestFailure(status: 404, description: "File with the matching ID was not found.", data: .string(id),
                       errors: [(path, ["no file with id \(id)"])])
    }
}
