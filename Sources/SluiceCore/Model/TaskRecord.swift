/// An image task (seeds 001, 003): one algorithm applied to one stored File, its result a File of its own.
public struct TaskRecord: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable { case pending, processing, finished, error }

    public var id: String
    /// Listing order; assigned by the catalogue on insert.
    public var seq: Int64
    public var sourceID: String
    /// The result File, once finished (nil again if a user deletes that File).
    public var resultID: String?
    /// The result's extension with its dot (`.png`), once finished: names `outbox/results/<id><ext>`.
    public var resultExtension: String?
    public var status: Status
    public var algorithm: String
    /// The parameters as given (JSON text; `null` when none were).
    public var params: [UInt8]
    public var error: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: String, seq: Int64 = 0, sourceID: String, resultID: String? = nil, resultExtension: String? = nil,
                status: Status, algorithm: String, params: [UInt8], error: String? = nil, createdAt: Timestamp, updatedAt: Timestamp? = nil) {
        self.id = id; self.seq = seq; self.sourceID = sourceID; self.resultID = resultID; self.resultExtension = resultExtension
        self.status = status; self.algorithm = algorithm; self.params = params; self.error = error
        self.createdAt = createdAt; self.updatedAt = updatedAt ?? createdAt
    }

    /// Seed 003's status: `in_progress` until it ends `ready` or `error`.
    public var progress: String {
        switch status {
        case .pending, .processing: return "in_progress"
        case .finished: return "ready"
        case .error: return "error"
        }
    }

    /// `results/<id><ext>` under `outbox/`, while the task has a result.
    public var resultPath: String? {
        guard status == .finished, resultID != nil, let ext = resultExtension else { return nil }
        return RootLayout.resultName(taskID: id, extension: ext)
    }

    /// The published JSON object (SPEC §5), with `result_path`: the result image under `outbox/`.
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.string(id)
        json.key("source_id"); json.string(sourceID)
        json.key("result_id"); json.optionalString(resultID)
        json.key("status"); json.string(status.rawValue)
        json.key("algorithm"); json.string(algorithm)
        json.key("params"); json.raw(params.isEmpty ? Array("null".utf8) : params)
        json.key("error"); json.optionalString(error)
        json.key("created_at"); json.timestamp(createdAt)
        json.key("updated_at"); json.timestamp(updatedAt)
        json.key("result_path"); json.optionalString(resultPath.map { RootLayout.resultsFolderInOutbox + "/" + $0 })
        json.endObject()
    }

    public var json: [UInt8] {
        var writer = JSONWriter(capacity: 384 + params.count)
        write(to: &writer)
        return writer.bytes
    }
}

/// What the image stage (or a restart) may change on a task: its status, its error and its result.
public struct TaskStageUpdate: Sendable, Equatable {
    public var status: TaskRecord.Status
    public var error: String?
    /// The result File's id and extension, for `finished`.
    public var result: (id: String, fileExtension: String)?

    public init(status: TaskRecord.Status, error: String? = nil, result: (id: String, fileExtension: String)? = nil) {
        self.status = status; self.error = error; self.result = result
    }

    public static func == (a: TaskStageUpdate, b: TaskStageUpdate) -> Bool {
        a.status == b.status && a.error == b.error && a.result?.id == b.result?.id && a.result?.fileExtension == b.result?.fileExtension
    }
}
