import Foundation
public import Logging

/// Runs an `OutboxPublisher` on its own thread, so writing the outbox overlaps taking the next drops.
/// `poke()` after a commit; pokes that arrive during a pass coalesce into one more pass.
public final class PublisherThread: @unchecked Sendable { // `pending`/`stopping`/`finished` are guarded by `condition`.
    private let publisher: OutboxPublisher
    private let logger: Logger
    private let condition = NSCondition()
    private var pending = false
    private var stopping = false
    private var finished = false

    public init(publisher: OutboxPublisher, logger: Logger) {
        self.publisher = publisher
        self.logger = logger
    }

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "sluice-publish"
        thread.start()
    }

    /// Asks for a pass soon.
    public func poke() {
        condition.lock()
        pending = true
        condition.signal()
        condition.unlock()
    }

    /// Finishes the pass under way, publishes what is left, and stops.
    public func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while !pending && !stopping { _ = condition.wait(until: Date(timeIntervalSinceNow: 2)); if !pending && !stopping { pending = true } }
            let stop = stopping
            pending = false
            condition.unlock()
            do { try publisher.publishPending() } catch {
                logger.error("publishing the outbox failed; retrying at the next change", metadata: ["error": "\(error)"])
            }
            if stop { break }
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
