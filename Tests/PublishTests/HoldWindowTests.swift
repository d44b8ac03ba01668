import Foundation
@testable import Publish
import Testing

@Suite struct HoldWindowTests {
    func report(held: Bool, outputs: Int) -> OutboxPublisher.Report {
        var report = OutboxPublisher.Report()
        report.held = held
        report.outputs = outputs
        return report
    }

    @Test func holdsWhileObjectsKeepSettlingAndNeverPastTheLimit() throws {
        var window = HoldWindow(limit: 0.5, stall: 0.05)
        let start = Date()
        #expect(window.mayHold(at: start) && window.due == nil, "nothing held yet")
        window.passed(report(held: true, outputs: 0), at: start)
        #expect(abs(try #require(window.due).timeIntervalSince(start) - 0.05) < 1e-6, "the first held pass counts as progress")
        #expect(window.mayHold(at: start.addingTimeInterval(0.04)))
        #expect(!window.mayHold(at: start.addingTimeInterval(0.05)), "nothing settled for the stall interval")
        // Objects keep settling: held up to the limit, not beyond.
        var now = start
        for _ in 0..<30 {
            now = now.addingTimeInterval(0.02)
            guard window.mayHold(at: now) else { break }
            window.passed(report(held: true, outputs: 5), at: now)
        }
        #expect(now >= start.addingTimeInterval(0.5) && now < start.addingTimeInterval(0.52), "ends at the limit: \(now.timeIntervalSince(start))")
        #expect(abs(try #require(window.due).timeIntervalSince(start) - 0.5) < 1e-6)
        // A pass that publishes ends the hold; the next one starts afresh.
        window.passed(report(held: false, outputs: 100), at: now)
        #expect(window.due == nil && window.mayHold(at: now))
    }

    @Test func aPassWithNothingNewSettledDoesNotExtendTheHold() throws {
        var window = HoldWindow(limit: 0.5, stall: 0.05)
        let start = Date()
        window.passed(report(held: true, outputs: 0), at: start)
        window.passed(report(held: true, outputs: 3), at: start.addingTimeInterval(0.03))
        window.passed(report(held: true, outputs: 0), at: start.addingTimeInterval(0.06))
        #expect(abs(try #require(window.due).timeIntervalSince(start) - 0.08) < 1e-6, "the last object settled at 0.03")
        #expect(!window.mayHold(at: start.addingTimeInterval(0.081)))
    }
}
