#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Named places where the tests make Sluice fail on purpose, as SQLite's and FreeBSD's fail points do.
///
/// `SLUICE_FAULTS="download.after-link=crash,download.commit=fail"` arms them: `crash` kills the process there
/// (SIGKILL: nothing after it runs), `fail` throws `InjectedFault` the first time it is reached. Only the tests set
/// the variable; unset, a point costs one look at an empty table.
public enum FaultPoint: String, Sendable, CaseIterable {
    /// A drop's effects are committed; its file is not yet moved to `inbox/.done/` or `upload/`.
    case ingestAfterCommit = "ingest.after-commit"
    /// A download's bytes are linked into `upload/`; the transaction that records them has not run.
    case downloadAfterLink = "download.after-link"
    /// Inside the transaction that records download results, before it commits.
    case downloadCommit = "download.commit"
    /// An image task's result is linked into `upload/image/`; the transaction that records it has not run.
    case imageAfterLink = "image.after-link"

    enum Action: String { case crash, fail }

    private static let armed: [FaultPoint: Action] = {
        guard let spec = getenv("SLUICE_FAULTS").map({ String(cString: $0) }) else { return [:] }
        var armed: [FaultPoint: Action] = [:]
        for item in spec.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2, let point = FaultPoint(rawValue: parts[0]), let action = Action(rawValue: parts[1]) {
                armed[point] = action
            }
        }
        return armed
    }()
    private static let fired = Mutex<Set<FaultPoint>>([])

    /// Crashes or throws here when the tests armed this point.
    public func reach() throws(InjectedFault) {
        guard let action = Self.armed[self] else { return }
        switch action {
        case .crash:
            kill(getpid(), SIGKILL)
            pause()
        case .fail:
            if Self.fired.withLock({ $0.insert(self).inserted }) { throw InjectedFault(point: self) }
        }
    }
}

/// The failure a `FaultPoint` armed with `fail` throws.
public struct InjectedFault: Error, Sendable, CustomStringConvertible {
    public let point: FaultPoint
    public var description: String { "injected fault at \(point.rawValue) (SLUICE_FAULTS)" }
}
