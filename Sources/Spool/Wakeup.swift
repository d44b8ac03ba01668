import Foundation

/// Wakes the pipeline loop: an inotify hint, a finished download, a stop request; waits coalesce them.
public final class Wakeup: @unchecked Sendable { // NSCondition guards every field.
    public struct Reasons: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// Something changed in `inbox/`.
        public static let inbox = Reasons(rawValue: 1)
        /// The kernel dropped events: rescan.
        public static let overflow = Reasons(rawValue: 2)
        /// A job finished or was queued.
        public static let jobs = Reasons(rawValue: 8)
        public static let stop = Reasons(rawValue: 16)
    }

    private let condition = NSCondition()
    private var pending: Reasons = []

    public init() {}

    public func post(_ reasons: Reasons) {
        condition.lock()
        pending.formUnion(reasons)
        condition.signal()
        condition.unlock()
    }

    /// True once a stop has been posted (looked at without waiting or clearing anything).
    public var stopRequested: Bool {
        condition.lock()
        defer { condition.unlock() }
        return pending.contains(.stop)
    }

    /// Waits until something is posted or `timeout` seconds pass; returns (and clears) what was posted.
    public func wait(timeout: Double) -> Reasons {
        condition.lock()
        defer { condition.unlock() }
        if pending.isEmpty { _ = condition.wait(until: Date(timeIntervalSinceNow: timeout)) }
        let reasons = pending
        pending.subtract(reasons.subtracting(.stop))
        return reasons
    }
}
