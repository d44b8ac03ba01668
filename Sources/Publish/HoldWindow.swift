import Foundation

/// How long `PublisherService` holds changes that leave objects moving (`OutboxPublisher.publishPending(holdingMoving:)`):
/// while the objects around them keep settling, that is while a held pass wrote an object ahead within the last
/// `stall`, and never for more than `limit` in all. A burst of quick downloads is then published as they end, each
/// object once; a download that stalls holds its receipt back for `stall` only.
struct HoldWindow {
    let limit: Double
    let stall: Double
    /// While holding: when holding must end.
    private var until: Date?
    private var lastSettled = Date.distantPast

    init(limit: Double, stall: Double) {
        self.limit = limit
        self.stall = stall
    }

    /// Whether a pass beginning at `now` may hold changes back.
    func mayHold(at now: Date) -> Bool {
        guard let until else { return true }
        return now < until && now < lastSettled.addingTimeInterval(stall)
    }

    /// While holding: when to look again, pokes or not.
    var due: Date? { until.map { min($0, lastSettled.addingTimeInterval(stall)) } }

    /// Takes in what a pass that began at `now` did.
    mutating func passed(_ report: OutboxPublisher.Report, at now: Date) {
        guard report.held else {
            until = nil
            return
        }
        if until == nil {
            until = now.addingTimeInterval(limit)
            lastSettled = now
        }
        if report.outputs > 0 { lastSettled = now }
    }
}
