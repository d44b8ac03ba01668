/// One validated operation from a request file (SPEC §3).
public enum Request: Sendable, Equatable {
    /// Seed 000 `POST /download`: queue each URL for download.
    case download(urls: [String])
    /// Seeds 000/001: rename and/or comment a file.
    case fileUpdate(id: String, name: String?, comment: String?)
    /// Seed 000 `DELETE /file/<id>`: the row and the stored bytes.
    case fileDelete(id: String)
    /// Seed 004 `POST /pets`.
    case petCreate(name: String, age: Int, type: PetRecord.Species)
    /// Seed 004 `POST /pets/<id>/photo`: a photo downloaded from a URL, or a stored file.
    case petPhoto(petID: String, source: PhotoSource)
    /// Seed 004 `DELETE /pets`: the ids as given; each that is no pet's (or no id at all) gets its own error.
    case petsDelete(ids: [JSONValue])
    /// Seeds 001/003: one image task per file; `params` as given (stored with each task).
    case imageJob(fileIDs: [String], operation: ImageOperation, params: JSONValue)
    /// Seed 001: a task in `error` back to `pending`.
    case taskRestart(id: String)

    public enum PhotoSource: Sendable, Equatable {
        case url(String)
        case file(id: String)
    }
}

/// Why a request is refused: the receipt's status and seed 000's error body.
public struct RequestFailure: Error, Sendable, Equatable {
    public var status: Int
    public var description: String
    /// What was given (echoed back as `data`).
    public var data: JSONValue
    /// Field path → messages, in the order found.
    public var errors: [(path: String, messages: [String])]

    public init(status: Int, description: String, data: JSONValue, errors: [(path: String, messages: [String])] = []) {
        self.status = status; self.description = description; self.data = data; self.errors = errors
    }

    public static func == (a: RequestFailure, b: RequestFailure) -> Bool {
        a.status == b.status && a.description == b.description && a.data == b.data
            && a.errors.map(\.path) == b.errors.map(\.path) && a.errors.map(\.messages) == b.errors.map(\.messages)
    }

    /// `{"description": …, "data": …, "errors": {path: [msg]}}`
    public var body: [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("description"); json.string(description)
        json.key("data"); json.value(data)
        json.key("errors"); json.beginObject()
        for entry in errors {
            json.key(entry.path); json.beginArray()
            for message in entry.messages { json.string(message) }
            json.endArray()
        }
        json.endObject()
        json.endObject()
        return json.bytes
    }
}
