import Foundation
import Spool

/// What a stage's worker threads (curl's, the image pool's) report between two of its steps: the keys of the jobs
/// whose work started, and results. Each report wakes the pipeline (`.jobs`); the stepping thread takes them all.
final class WorkerReports<Result: Sendable>: @unchecked Sendable { // every field is guarded by `lock`.
    private let lock = NSLock()
    private var starts: [String] = []
    private var results: [Result] = []
    private let wakeup: Wakeup

    init(wakeup: Wakeup) { self.wakeup = wakeup }

    func started(_ key: String) {
        lock.withLock { starts.append(key) }
        wakeup.post(.jobs)
    }

    func finished(_ result: Result) {
        lock.withLock { results.append(result) }
        wakeup.post(.jobs)
    }

    /// Everything reported since the last take.
    func take() -> (starts: [String], results: [Result]) {
        lock.withLock {
            defer { starts.removeAll(); results.removeAll() }
            return (starts, results)
        }
    }

    /// True when nothing was reported since the last take.
    var isEmpty: Bool { lock.withLock { starts.isEmpty && results.isEmpty } }
}
