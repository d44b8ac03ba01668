/// How long a loop waits before trying a failed pass again: 0.1 s, doubling to 30 s; back to none after a success.
public struct RetryBackoff: Sendable {
    public private(set) var failures = 0

    public init() {}

    public mutating func failed() { failures += 1 }
    public mutating func succeeded() { failures = 0 }

    /// Seconds to wait before the next attempt; nil when the last pass succeeded.
    public var delay: Double? { failures == 0 ? nil : min(30, 0.1 * Double(1 << min(failures - 1, 9))) }
}
