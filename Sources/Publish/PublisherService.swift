import Foundation
public import Logging
public import ServiceLifecycle
public import SluiceCore

/// Runs an `OutboxPublisher` as a lifecycle service, on a thread of its own, so writing the outbox overlaps taking
/// the next drops.
///
/// `poke()` after a commit. A poke is published at once (a single drop's receipt appears in about a millisecond)
/// unless commits come faster than passes: when the last pass covered several commits and more arrived while it
/// wrote, the publisher is the bottleneck, and the next pass waits until `burstInterval` after the previous one, so a
/// burst's changes to one object become one write. Drops submitted one by one, each after the last one's receipt,
/// never wait.
/// Changes that leave an object still moving (a File `pending` or `downloading`, a task `pending` or `processing`)
/// are held while the objects around them keep settling (`HoldWindow`): a held pass writes ahead the objects that
/// settled, on one thread, paced by `burstInterval` as any burst is; the changes are published once they have all settled,
/// none has settled for `holdStall` (0.05 s), or `holdLimit` (0.25 s) has passed. A burst of quick downloads is
/// then published `ready` without being written `pending` first. The published version is one watermark, so while
/// changes are held every later one waits with them: a receipt waits at most `holdLimit` (plus a pass), and a
/// change that moves nothing, after a quiet spell, is still published at once.
/// On graceful shutdown it publishes what is left and ends; put it first in its group, so it stops last. A pass
/// that fails is tried again after a back-off; one that cannot succeed (a corrupt catalogue) ends `run()`.
public final class PublisherService: Service, @unchecked Sendable { // `pending`/`urgent`/`stopping` are guarded by `condition`; the rest is immutable.
    private let publisher: OutboxPublisher
    private let logger: Logger
    private let condition = NSCondition()
    private var pending = false
    /// The next pass neither waits for a burst to gather nor holds anything back.
    private var urgent = false
    private var stopping = false
    private let burstInterval: Double
    private let hold: HoldWindow

    public init(publisher: OutboxPublisher, logger: Logger, burstInterval: Double = 0.02, holdLimit: Double = 0.25,
                holdStall: Double = 0.05) {
        self.publisher = publisher
        self.logger = logger
        self.burstInterval = burstInterval
        hold = HoldWindow(limit: holdLimit, stall: holdStall)
    }

    /// Asks for a pass soon; with `urgent`, at once and publishing everything (the pipeline is done: a batch run's
    /// end, a stop), while the poker goes on with its own last work.
    public func poke(urgent: Bool = false) {
        condition.lock()
        pending = true
        if urgent { self.urgent = true }
        condition.signal()
        condition.unlock()
    }

    public func run() async throws {
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await ServiceThread.run(name: "sluice-publish") { try self.loop() }
        } onCancelOrGracefulShutdown: {
            self.stop()
        }
    }

    /// Ends the loop after a last pass.
    private func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() throws {
        var lastPass = Date.distantPast
        var burst = false
        var backoff = RetryBackoff()
        var hold = self.hold
        while true {
            condition.lock()
            // Wait for a poke (or, every 2 s, look anyway: another process may have committed; while changes are
            // held, when they are due); after a failure, for the back-off, whatever pokes come meanwhile.
            if let delay = backoff.delay {
                let retry = Date(timeIntervalSinceNow: delay)
                while !stopping && condition.wait(until: retry) {}
            } else {
                let look = hold.due ?? Date(timeIntervalSinceNow: 2)
                while !pending && !stopping {
                    if !condition.wait(until: look) { pending = true }
                }
            }
            // In a burst, let changes gather until the interval since the last pass has passed.
            let due = lastPass.addingTimeInterval(burstInterval)
            while burst && !stopping && !urgent && Date() < due { _ = condition.wait(until: due) }
            let stop = stopping
            let publishAll = stop || urgent
            pending = false
            urgent = false
            condition.unlock()
            var report = OutboxPublisher.Report()
            do {
                let now = Date()
                report = try publisher.publishPending(holdingMoving: !publishAll && hold.mayHold(at: now))
                hold.passed(report, at: now)
                backoff.succeeded()
            } catch where RetryPolicy.isRetryable(error) && !stop {
                backoff.failed()
                logger.error("publishing the outbox failed; trying again", metadata: [
                    "error": "\(error)", "in": "\(backoff.delay ?? 0) s"])
            } catch {
                logger.error("publishing the outbox failed", metadata: ["error": "\(error)"])
                if !stop { throw error }
            }
            lastPass = Date()
            if stop { return }
            condition.lock()
            // Commits keep coming faster than passes: while changes are held, any commit during a pass counts (a
            // held pass is never urgent), so a burst's held passes are paced, and one quick download's is not.
            burst = pending && (report.versions > 1 || report.held)
            condition.unlock()
        }
    }
}
