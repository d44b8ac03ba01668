public import SluiceCore
public import Fetch
import Foundation

/// Everything the pipeline can be told: where the root is, the caps, the download policy.
public struct PipelineConfiguration: Sendable {
    public var root: String
    public var limits = Limits()
    /// Where the reader serves photos: receipts and published pets name photo urls under it.
    public var baseURL = PhotoURL.defaultBase
    public var fetch = FetchConfiguration()
    /// Attempts per download before the file ends `error`.
    public var maxAttempts = 4
    /// First retry delay in seconds; doubled each attempt.
    public var retryBaseDelay: Double = 1
    /// Longest wait honoured from a `Retry-After` header, in seconds.
    public var maxRetryDelay: Double = 60
    /// Image worker processes (one task each at a time).
    public var imageWorkers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Seconds one image task may take before its worker is stopped and the task ends in `error`.
    public var taskTimeout: Double = 60
    /// The executable started as an image worker (`<it> image-worker …`): this one.
    public var imageWorkerExecutable = "/proc/self/exe"
    /// Drops committed in one transaction.
    public var ingestBatch = 512
    /// Seconds between scans when no event arrives (events are only hints).
    public var rescanInterval: Double = 2
    /// Seconds between looks for the work of stopped processes (claims, jobs) while running.
    public var recoveryInterval: Double = 5

    public init(root: String) { self.root = root }

    /// Seconds before a job whose `attempts`-th attempt failed for a reason time can mend runs again: the base delay
    /// doubled each attempt, at least `atLeast` (a server's Retry-After), at most `maxRetryDelay`.
    public func retryDelay(after attempts: Int, atLeast: Double = 0) -> Double {
        min(maxRetryDelay, max(retryBaseDelay * pow(2, Double(attempts - 1)), atLeast))
    }
}
