import Hummingbird
import HTTPTypes
import SluiceCore
import Synchronization

/// `GET /metrics` in Prometheus' text format: the catalogue's counts (drops, files and tasks by status, jobs queued
/// and running by kind, pets, bytes downloaded; at most `cacheSeconds` old) and this reader's own requests: by
/// status code, and their latency as a histogram.
final class ReaderMetrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    private struct State {
        var byCode: [Int: Int] = [:]
        var bucketCounts = [Int](repeating: 0, count: ReaderMetrics.buckets.count)
        var count = 0
        var sum = 0.0
        var keptInChannel = 0
    }

    private let state = Mutex(State())
    /// The catalogue's counts, kept for `cacheSeconds`: a scrape scans tables, and anyone may ask when no key is set.
    private let cached = Mutex<(at: ContinuousClock.Instant, statistics: CatalogueStatistics)?>(nil)
    static let cacheSeconds = 5

    /// The catalogue's counts, read at most every `cacheSeconds`.
    func statistics(_ read: () throws -> CatalogueStatistics) rethrows -> CatalogueStatistics {
        if let kept = cached.withLock({ $0 }), ContinuousClock.now - kept.at < .seconds(Self.cacheSeconds) { return kept.statistics }
        let fresh = try read()
        cached.withLock { $0 = (ContinuousClock.now, fresh) }
        return fresh
    }

    func record(code: Int, seconds: Double, keptInChannel: Bool = false) {
        state.withLock { state in
            if keptInChannel { state.keptInChannel += 1 }
            state.byCode[code, default: 0] += 1
            state.count += 1
            state.sum += seconds
            if let i = Self.buckets.firstIndex(where: { seconds <= $0 }) { state.bucketCounts[i] += 1 }
        }
    }

    /// The exposition, with `catalogue`'s counts.
    func text(_ catalogue: CatalogueStatistics) -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples { out += "\(name)\(sample.labels) \(sample.value)\n" }
        }
        func labelled(_ counts: [String: Int], _ label: String, _ all: [String]) -> [(labels: String, value: String)] {
            all.map { ("{\(label)=\"\($0)\"}", "\(counts[$0] ?? 0)") }
        }
        metric("sluice_drops_total", "counter", "Drops committed, each with its receipt.", [("", "\(catalogue.requests)")])
        metric("sluice_files", "gauge", "Files by status.", labelled(catalogue.filesByStatus, "status", ["pending", "downloading", "ready", "error"]))
        metric("sluice_tasks", "gauge", "Image tasks by status.", labelled(catalogue.tasksByStatus, "status", ["pending", "processing", "finished", "error"]))
        var jobs: [(labels: String, value: String)] = []
        for kind in ["download", "image"] {
            jobs.append(("{kind=\"\(kind)\",state=\"queued\"}", "\(catalogue.queuedJobs[kind] ?? 0)"))
            jobs.append(("{kind=\"\(kind)\",state=\"running\"}", "\(catalogue.runningJobs[kind] ?? 0)"))
        }
        metric("sluice_jobs", "gauge", "Queue depth: jobs waiting for a process (queued) and held by one (running).", jobs)
        metric("sluice_pets", "gauge", "Pets.", [("", "\(catalogue.pets)")])
        metric("sluice_downloaded_bytes", "gauge", "Bytes of the downloaded files stored now.", [("", "\(catalogue.downloadedBytes)")])
        let snapshot = state.withLock { $0 }
        metric("sluice_reader_requests_total", "counter", "Requests this reader answered, by status code.",
               snapshot.byCode.keys.sorted().map { ("{code=\"\($0)\"}", "\(snapshot.byCode[$0]!)") })
        var histogram: [(labels: String, value: String)] = []
        var cumulative = 0
        for (bound, count) in zip(Self.buckets, snapshot.bucketCounts) {
            cumulative += count
            histogram.append(("_bucket{le=\"\(bound)\"}", "\(cumulative)"))
        }
        histogram.append(("_bucket{le=\"+Inf\"}", "\(snapshot.count)"))
        histogram.append(("_sum", "\(snapshot.sum)"))
        histogram.append(("_count", "\(snapshot.count)"))
        metric("sluice_reader_request_duration_seconds", "histogram", "Time from a request's head to its answer's.", histogram)
        metric("sluice_reader_kept_answers_total", "counter",
               "Of those, outbox files kept in memory and answered on the connection's event loop, without a request handler.",
               [("", "\(snapshot.keptInChannel)")])
        return out
    }
}

/// Times every answer into `ReaderMetrics`.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ReaderMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        func seconds() -> Double { (ContinuousClock.now - started).inSeconds }
        do {
            let response = try await next(request, context)
            metrics.record(code: response.status.code, seconds: seconds())
            return response
        } catch {
            metrics.record(code: (error as? HTTPError)?.status.code ?? 500, seconds: seconds())
            throw error
        }
    }
}
