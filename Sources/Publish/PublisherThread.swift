import Foundation
public import Logging

/// Runs an `OutboxPublisher` on its own thread, so writing the outbox overlaps taking the next drops.
///
/// `poke()` after a commit. A poke is published at once (a single drop's receipt appears in about a
/// millisecond) unless changes arrived while the previous pass was still writing: then the publisher is the
/// bottleneck, and the next pass waits until `burstInterval` after the previous one, so a burst's changes to one
/// object (a download's `downloading` then `ready`) become one write instead of several.
public final class PublisherThread: @unchecked Sendable { // `pending`/`stopping`/`finished` are guarded by `condition`.
    private let publisher: OutboxPublisher
    private let logger: Logger
    private let condition = NSCondition()
    private var pending = false
    private var stopping = false
    private var finished = false
    private let burstInterval: Double

    public init(publisher: OutboxPublisher, logger: Logger, burstInterval: Double = 0.02) {
        self.publisher = publisher
        self.logger = logger
        self.burstInterval = burstInterval
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
        var lastPass = Date.distantPast
        var burst = false
        while true {
            condition.lock()
            // Wait for a poke (or, every 2 s, look anyway: another process may have committed).
            while !pending && !stopping {
                if !condition.wait(until: Date(timeIntervalSinceNow: 2)) { pending = true }
            }
            // In a burst, let changes gather until the interval since the last pass has passed.
            let due = lastPass.addingTimeInterval(burstInterval)
            while burst && !stopping && Date() < due { _ = condition.wait(until: due) }
            let stop = stopping
            pending = false
            condition.unlock()
            do { try publisher.publishPending() } catch {
                logger.error("publishing the outbox failed; retrying at the next change", metadata: ["error": "\(error)"])
            }
            lastPass = Date()
            if stop { break }
            condition.lock()
            burst = pending // poked while this pass was writing
            condition.unlock()
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
