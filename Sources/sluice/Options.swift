import ArgumentParser
import Foundation
import Logging
import Pipeline
import Reader
import Fetch
import SluiceCore

/// `--root`, shared by every command.
struct RootOptions: ParsableArguments {
    @Option(name: .long, help: "The root folder holding inbox/, upload/, outbox/ and .sluice/.")
    var root: String = "."

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    /// The root as an absolute path.
    var absoluteRoot: String {
        let url = URL(fileURLWithPath: root, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        return url.standardizedFileURL.path
    }

    func makeLogger(_ label: String) -> Logger {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { name in StandardErrorLogHandler(label: name, level: level) }
        return Logger(label: label)
    }

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }
}

/// The pipeline's limits and download policy.
struct PipelineOptions: ParsableArguments {
    @Option(help: "Largest request file read, in bytes; larger ones get a 413 receipt.")
    var maxRequestBytes: Int = 16 << 20
    @Option(help: "Most URLs in one download request.")
    var maxUrls: Int = 1000
    @Option(help: "Most URLs in one request file, across a batch's download requests.")
    var maxUrlsPerFile: Int = 10_000
    @Option(help: "Largest download, in bytes; a larger one ends in error.")
    var maxDownloadBytes: Int64 = 1 << 30
    @Option(help: "Downloads running at once.")
    var concurrency: Int = 64
    @Option(help: "Connections to one host at once.")
    var perHost: Int = 16
    @Option(help: "Attempts per download before it ends in error (transient failures only).")
    var attempts: Int = 4
    @Option(help: "First retry delay in seconds (doubled each attempt).")
    var retryDelay: Double = 1
    @Option(help: "Longest Retry-After honoured, in seconds.")
    var maxRetryDelay: Double = 60
    @Option(help: "Connect timeout in seconds.")
    var connectTimeout: Double = 10
    @Option(help: "Abort a download that moves no byte for this many seconds.")
    var stallTimeout: Int = 30
    @Option(help: "Image worker processes (default: one per core).")
    var imageWorkers: Int = PipelineConfiguration(root: "").imageWorkers
    @Option(help: "Seconds one image task may run before its worker is stopped and the task ends in error.")
    var taskTimeout: Double = PipelineConfiguration(root: "").taskTimeout
    @OptionGroup var images: ImageLimitOptions

    func validate() throws {
        guard maxRequestBytes > 0, maxUrls > 0, maxUrlsPerFile > 0, maxDownloadBytes > 0 else { throw ValidationError("limits must be positive") }
        guard concurrency > 0, perHost > 0 else { throw ValidationError("--concurrency and --per-host must be positive") }
        guard attempts >= 1 else { throw ValidationError("--attempts must be at least 1") }
        guard imageWorkers >= 1, taskTimeout > 0 else { throw ValidationError("--image-workers and --task-timeout must be positive") }
        guard retryDelay >= 0, maxRetryDelay >= 0, connectTimeout > 0, stallTimeout > 0 else {
            throw ValidationError("delays and timeouts must not be negative")
        }
    }

    func configuration(root: String, baseURL: String) -> PipelineConfiguration {
        var c = PipelineConfiguration(root: root)
        c.baseURL = baseURL
        c.limits.maxRequestBytes = maxRequestBytes
        c.limits.maxURLs = maxUrls
        c.limits.maxURLsPerFile = maxUrlsPerFile
        c.fetch.maxBytes = maxDownloadBytes
        c.fetch.maxConcurrent = concurrency
        c.fetch.maxPerHost = perHost
        c.fetch.connectTimeout = connectTimeout
        c.fetch.lowSpeedTime = stallTimeout
        c.maxAttempts = attempts
        c.retryBaseDelay = retryDelay
        c.maxRetryDelay = maxRetryDelay
        c.imageWorkers = imageWorkers
        c.taskTimeout = taskTimeout
        c.limits = images.limits(c.limits)
        return c
    }
}

/// What an image may be (photos and image tasks' inputs), checked from its header before decoding.
struct ImageLimitOptions: ParsableArguments {
    @Option(help: "Most pixels (width × height) an image may have.")
    var maxImagePixels: Int = Limits().maxImagePixels
    @Option(help: "Most pixels on either side of an image.")
    var maxImageSide: Int = Limits().maxImageSide
    @Option(help: "Largest image file, in bytes.")
    var maxImageBytes: Int = Limits().maxImageBytes

    func validate() throws {
        guard maxImagePixels > 0, maxImageSide > 0, maxImageBytes > 0 else { throw ValidationError("image limits must be positive") }
    }

    func limits(_ base: Limits) -> Limits {
        var limits = base
        limits.maxImagePixels = maxImagePixels
        limits.maxImageSide = maxImageSide
        limits.maxImageBytes = maxImageBytes
        return limits
    }
}

/// Where the reader listens and whether it wants a key.
struct ReaderOptions: ParsableArguments {
    @Option(help: "Address the reader listens on.")
    var host: String = "127.0.0.1"
    @Option(help: "Port the reader listens on.")
    var port: Int = 8000
    @Option(help: "Require this X-API-KEY on every route but /healthz and the browse page itself (default: $SLUICE_API_KEY).")
    var apiKey: String?

    @Option(help: "Close a connection idle for this many seconds (at most 86400), or one whose client has taken nothing of an answer for as long.")
    var idleTimeout: Double = 30

    var effectiveAPIKey: String? { apiKey ?? ProcessInfo.processInfo.environment["SLUICE_API_KEY"].flatMap { $0.isEmpty ? nil : $0 } }

    /// The reader of the root at `root`, serving photos under `baseURL`.
    func configuration(root: String, baseURL: String) -> ReaderConfiguration {
        var configuration = ReaderConfiguration(root: root)
        configuration.host = host
        configuration.port = port
        configuration.apiKey = effectiveAPIKey
        configuration.baseURL = baseURL
        configuration.idleTimeout = idleTimeout
        return configuration
    }

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard idleTimeout > 0, idleTimeout <= 86_400 else { throw ValidationError("--idle-timeout must be from more than 0 to 86400 seconds") }
        if apiKey?.isEmpty == true { throw ValidationError("--api-key must not be empty: give the key, or leave the option out for no key") }
    }
}

/// Where the reader serves photos, as receipts, published pets and exports name them.
struct LinkOptions: ParsableArguments {
    @Option(help: "The reader's address as clients reach it: photo urls are <base-url>/file/<id>/download.")
    var baseUrl: String = PhotoURL.defaultBase

    func validate() throws {
        guard URLCheck.problem(baseUrl) == nil else {
            throw ValidationError("--base-url must be an http:// or https:// URL with a host, like http://127.0.0.1:8000")
        }
    }
}
