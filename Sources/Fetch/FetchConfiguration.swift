/// Limits and timeouts of the download stage.
public struct FetchConfiguration: Sendable {
    /// Transfers running at once.
    public var maxConcurrent = 64
    /// Connections to one host at once.
    public var maxPerHost = 16
    /// Bytes one download may have; more aborts it.
    public var maxBytes: Int64 = 1 << 30
    public var maxRedirects = 10
    public var connectTimeout: Double = 10
    /// A transfer slower than 1 byte/s for this long is aborted.
    public var lowSpeedTime: Int = 30
    public init() {}
}

/// One download to run: `url` into an unnamed file in `folder`, which the caller places when it succeeds.
public struct DownloadSpec: Sendable {
    public var key: String
    public var url: String
    /// Where the bytes wait for their name (on the file system of their final place).
    public var folder: String

    /// The URL's authority (`host:port`, lowercased, without user info): what the per-host limit counts.
    let host: String

    public init(key: String, url: String, folder: String) {
        self.key = key; self.url = url; self.folder = folder
        host = Self.authority(of: url)
    }

    private static func authority(of url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return "" }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPart = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? authority
        return hostPart.lowercased()
    }
}

/// How a download ended.
public struct DownloadResult: Sendable {
    public enum Outcome: Sendable, Equatable {
        case success(size: Int64)
        /// `transient` failures (timeouts, 429, 5xx, resets) are worth retrying; `retryAfter` is the server's wish in seconds.
        case failure(message: String, transient: Bool, retryAfter: Double?)
    }
    public var key: String
    public var outcome: Outcome
    public var seconds: Double
    /// The name the server suggested (Content-Disposition), unsanitised: metadata only, never a path.
    public var suggestedName: String?
    /// The bytes, on success: place them (`DownloadedFile.place`) or drop them.
    public var file: DownloadedFile?
}
