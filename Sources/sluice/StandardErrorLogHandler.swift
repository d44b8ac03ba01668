import Logging

/// swift-log's `StreamLogHandler` on standard error, its metadata kept aside and rendered only when a line is
/// written. `StreamLogHandler` renders all its metadata again at every change of it, and the reader's server sets a
/// request id on its logger for each request: about 4 % of the CPU of answering a small outbox file, for lines that
/// are almost never written.
struct StandardErrorLogHandler: LogHandler {
    private var stream: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(label: String, level: Logger.Level) {
        stream = .standardError(label: label)
        stream.logLevel = level
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The line as `StreamLogHandler` writes it, with its order of precedence (this handler's metadata, then the
    /// provider's, then the line's own).
    func log(event: LogEvent) {
        var stream = stream
        if !metadata.isEmpty { stream.metadata = metadata }
        stream.log(event: event)
    }
}
