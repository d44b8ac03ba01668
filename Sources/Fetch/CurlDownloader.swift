import CCurl
import SluiceCore
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs many downloads at once on one curl multi handle, driven from one thread with `curl_multi_poll`.
///
/// Only http and https are allowed, redirects included; each transfer has a redirect limit, connect and
/// low-speed timeouts, and a byte cap counted in the write callback (`MAXFILESIZE` alone misses unknown lengths).
public final class CurlDownloader: @unchecked Sendable { // `queue`/`stopped`/`finished` are guarded by `lock`; the multi handle, `active` and `hostCounts` belong to the loop thread.
    private let configuration: FetchConfiguration
    private let multi: UnsafeMutableRawPointer?
    /// Why libcurl cannot be used in this process, when it cannot: every download then fails with this message.
    private let unavailable: String?
    private let lock = NSCondition()
    private var queue: [DownloadSpec] = []
    private var stopped = false
    /// Set when the loop thread has left its loop: no callback comes after it.
    private var finished = false
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]
    /// Transfers in `active` per `DownloadSpec.host`.
    private var hostCounts: [String: Int] = [:]
    private var thread: Thread?
    private let onStart: @Sendable (String) -> Void
    private let onComplete: @Sendable (DownloadResult) -> Void

    /// `onStart` gets a spec's key when its transfer begins (it may wait for the limits first); `onComplete` gets
    /// each spec's result, once. Both run on the download thread. Loads libcurl on first use.
    public init(configuration: FetchConfiguration, onStart: @escaping @Sendable (String) -> Void = { _ in },
                onComplete: @escaping @Sendable (DownloadResult) -> Void) {
        self.configuration = configuration
        self.onStart = onStart
        self.onComplete = onComplete
        if let failure = sluice_curl_load() {
            unavailable = String(cString: failure)
            multi = nil
            return
        }
        guard let multi = sluice_multi_init() else {
            unavailable = "curl_multi_init failed (out of memory?)"
            self.multi = nil
            return
        }
        self.multi = multi
        for (option, value, name) in [(CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxPerHost, "CURLMOPT_MAX_HOST_CONNECTIONS"),
                                      (CURLMOPT_MAX_TOTAL_CONNECTIONS, configuration.maxConcurrent, "CURLMOPT_MAX_TOTAL_CONNECTIONS")] {
            let code = sluice_multi_setopt_long(multi, option, value)
            if code != CURLM_OK {
                unavailable = "libcurl refused \(name): \(String(cString: sluice_multi_strerror(code)))"
                return
            }
        }
        unavailable = nil
    }

    /// Loads libcurl (and its TLS libraries) on a thread of its own, so that the first `init` finds it loaded: a
    /// batch run starts it at once and reads the catalogue and the inbox meanwhile. A daemon loads it on first use.
    public static func loadInBackground() {
        loadingInBackground.store(true, ordering: .relaxed)
        Thread.detachNewThread { _ = sluice_curl_load() }
    }

    /// Waits for a load `loadInBackground` began (a process must not exit while a thread is inside `dlopen` or
    /// `curl_global_init`); at once when none did.
    public static func finishLoadingInBackground() {
        if loadingInBackground.load(ordering: .relaxed) { _ = sluice_curl_load() }
    }

    private static let loadingInBackground = Atomic<Bool>(false)

    deinit {
        active.removeAll()
        if let multi { sluice_multi_cleanup(multi) }
    }

    public func start() {
        guard unavailable == nil else { finished = true; return }
        let thread = Thread { [self] in run() }
        thread.name = "sluice-curl"
        self.thread = thread
        thread.start()
    }

    /// Queues a download; safe from any thread. Without libcurl each spec fails at once, on the caller's thread.
    public func submit(_ specs: [DownloadSpec]) {
        if let unavailable {
            for spec in specs {
                onComplete(DownloadResult(key: spec.key, outcome: .failure(message: unavailable, transient: false, retryAfter: nil), seconds: 0))
            }
            return
        }
        lock.lock()
        queue.append(contentsOf: specs)
        lock.unlock()
        sluice_multi_wakeup(multi)
    }

    /// Stops the loop and waits for it to end: running transfers are abandoned (their bytes dropped), and no
    /// callback comes after this returns. The caller gives their jobs back.
    public func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
        if let multi { sluice_multi_wakeup(multi) }
        lock.lock()
        while thread != nil && !finished { lock.wait() }
        lock.unlock()
    }

    /// Admits queued downloads while there is room under both limits, then lets curl work until something
    /// happens. curl never holds a transfer it cannot start: with handles parked in its own pending state
    /// (over `CURLMOPT_MAX_HOST_CONNECTIONS`), libcurl 7.88 at times polled a full second with no socket before
    /// starting them.
    private func run() {
        var waiting: [DownloadSpec] = [] // taken from `queue`, not yet given to curl (FIFO, per-host limited)
        var admissionDue = false // new downloads came, or slots came free
        while true {
            lock.lock()
            if stopped { lock.unlock(); break }
            if !queue.isEmpty {
                waiting.append(contentsOf: queue)
                queue.removeAll()
                admissionDue = true
            }
            lock.unlock()
            if admissionDue {
                admit(from: &waiting)
                admissionDue = false
            }

            var running: Int32 = 0
            let performed = sluice_multi_perform(multi, &running)
            if performed != CURLM_OK {
                failAll("curl_multi_perform", performed)
                admissionDue = !waiting.isEmpty
            }
            var remaining: Int32 = 0
            while let message = sluice_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                finish(easy, message.pointee.data.result)
                admissionDue = !waiting.isEmpty
            }
            if admissionDue { continue } // fill the free slots before sleeping
            let polled = sluice_multi_poll(multi, nil, 0, 1000, nil)
            if polled != CURLM_OK {
                failAll("curl_multi_poll", polled)
                usleep(100_000) // a broken poll must not become a busy loop
            }
        }
        for (easy, _) in active { sluice_multi_remove_handle(multi, easy) }
        active.removeAll()
        hostCounts.removeAll()
        lock.lock()
        finished = true
        lock.broadcast()
        lock.unlock()
    }

    /// Ends every running transfer with a retryable failure: the multi handle itself failed (`code`).
    private func failAll(_ call: String, _ code: CURLMcode) {
        let message = "\(call) failed: \(String(cString: sluice_multi_strerror(code)))"
        for (easy, transfer) in active {
            sluice_multi_remove_handle(multi, easy)
            onComplete(DownloadResult(key: transfer.spec.key, outcome: .failure(message: message, transient: true, retryAfter: nil),
                                      seconds: Date.timeIntervalSinceReferenceDate - transfer.started))
        }
        active.removeAll()
        hostCounts.removeAll()
    }

    /// Moves downloads from `waiting` to curl, oldest first, up to `maxConcurrent` in all and `maxPerHost` per host.
    private func admit(from waiting: inout [DownloadSpec]) {
        guard !waiting.isEmpty, active.count < configuration.maxConcurrent else { return }
        var kept: [DownloadSpec] = []
        for (index, spec) in waiting.enumerated() {
            if active.count >= configuration.maxConcurrent {
                kept.append(contentsOf: waiting[index...])
                break
            }
            if hostCounts[spec.host, default: 0] >= configuration.maxPerHost { kept.append(spec); continue }
            add(spec)
        }
        waiting = kept
    }

    private func add(_ spec: DownloadSpec) {
        let started = Date.timeIntervalSinceReferenceDate
        let file: DownloadedFile
        do { file = try DownloadedFile(folder: spec.folder, key: spec.key) } catch {
            onComplete(DownloadResult(key: spec.key, outcome: .failure(message: error.message, transient: true, retryAfter: nil), seconds: 0))
            return
        }
        guard let easy = sluice_easy_init() else {
            onComplete(DownloadResult(key: spec.key, outcome: .failure(message: "curl_easy_init failed (out of memory?)", transient: true, retryAfter: nil), seconds: 0))
            return
        }
        let transfer = Transfer(spec: spec, handle: easy, file: file, maxBytes: configuration.maxBytes, started: started)
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        // Every option is checked: a transfer curl would run without one of them (the protocol allow-list above
        // all) is not started.
        var refused: [String] = []
        func require(_ code: CURLcode, _ option: String) {
            if code != CURLE_OK { refused.append("\(option) (\(String(cString: sluice_easy_strerror(code))))") }
        }
        require(sluice_easy_setopt_string(easy, CURLOPT_URL, spec.url), "CURLOPT_URL")
        require(sluice_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"), "CURLOPT_PROTOCOLS_STR")
        require(sluice_easy_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"), "CURLOPT_REDIR_PROTOCOLS_STR")
        require(sluice_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 1), "CURLOPT_FOLLOWLOCATION")
        require(sluice_easy_setopt_long(easy, CURLOPT_MAXREDIRS, configuration.maxRedirects), "CURLOPT_MAXREDIRS")
        require(sluice_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(configuration.connectTimeout * 1000)), "CURLOPT_CONNECTTIMEOUT_MS")
        require(sluice_easy_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, 1), "CURLOPT_LOW_SPEED_LIMIT")
        require(sluice_easy_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, configuration.lowSpeedTime), "CURLOPT_LOW_SPEED_TIME")
        require(sluice_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1), "CURLOPT_NOSIGNAL")
        require(sluice_easy_setopt_long(easy, CURLOPT_BUFFERSIZE, 128 * 1024), "CURLOPT_BUFFERSIZE")
        require(sluice_easy_setopt_off(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maxBytes)), "CURLOPT_MAXFILESIZE_LARGE")
        require(sluice_easy_setopt_string(easy, CURLOPT_USERAGENT, "sluice/1"), "CURLOPT_USERAGENT")
        require(sluice_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, transfer.errorBuffer), "CURLOPT_ERRORBUFFER")
        require(sluice_easy_setopt_pointer(easy, CURLOPT_PRIVATE, context), "CURLOPT_PRIVATE")
        require(sluice_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context), "CURLOPT_WRITEDATA")
        require(sluice_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context), "CURLOPT_HEADERDATA")
        require(sluice_easy_setopt_write(easy) { data, size, count, context in
            let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
            return transfer.receive(UnsafeRawPointer(data!), size * count)
        }, "CURLOPT_WRITEFUNCTION")
        require(sluice_easy_setopt_header(easy) { data, size, count, context in
            let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
            transfer.header(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }, "CURLOPT_HEADERFUNCTION")
        guard refused.isEmpty else {
            onComplete(DownloadResult(key: spec.key, outcome: .failure(
                message: "not started: libcurl refused \(refused.joined(separator: ", "))", transient: false, retryAfter: nil), seconds: 0))
            return
        }
        let added = sluice_multi_add_handle(multi, easy)
        guard added == CURLM_OK else {
            onComplete(DownloadResult(key: spec.key, outcome: .failure(
                message: "curl_multi_add_handle failed: \(String(cString: sluice_multi_strerror(added)))", transient: true, retryAfter: nil), seconds: 0))
            return
        }
        active[easy] = transfer
        hostCounts[spec.host, default: 0] += 1
        onStart(spec.key)
    }

    private func finish(_ easy: UnsafeMutableRawPointer, _ code: CURLcode) {
        sluice_multi_remove_handle(multi, easy)
        guard let transfer = active.removeValue(forKey: easy) else { return }
        let host = transfer.spec.host
        if let count = hostCounts[host], count > 1 { hostCounts[host] = count - 1 } else { hostCounts[host] = nil }
        let seconds = Date.timeIntervalSinceReferenceDate - transfer.started
        var status = 0
        sluice_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        if status != 0 { transfer.httpStatus = status }
        let outcome = Self.outcome(code, transfer, configuration)
        var file: DownloadedFile?
        if case .success = outcome { file = transfer.file }
        onComplete(DownloadResult(key: transfer.spec.key, outcome: outcome, seconds: seconds,
                                  suggestedName: transfer.contentDisposition.flatMap(ContentDisposition.filename),
                                  file: file))
    }

    static func outcome(_ code: CURLcode, _ t: Transfer, _ configuration: FetchConfiguration) -> DownloadResult.Outcome {
        let detail = String(cString: t.errorBuffer).nonEmpty ?? String(cString: sluice_easy_strerror(code))
        if t.httpStatus >= 400 {
            let transient = t.httpStatus == 408 || t.httpStatus == 429 || t.httpStatus >= 500
            return .failure(message: "HTTP \(t.httpStatus) from the server", transient: transient, retryAfter: t.retryAfter.flatMap(RetryAfter.seconds))
        }
        if t.tooLarge || code == CURLE_FILESIZE_EXCEEDED {
            return .failure(message: "larger than the limit of \(configuration.maxBytes) bytes (--max-download-bytes)", transient: false, retryAfter: nil)
        }
        if t.writeErrno != 0 {
            return .failure(message: "could not write the download: \(String(cString: strerror(t.writeErrno)))", transient: true, retryAfter: nil)
        }
        switch code {
        case CURLE_OK:
            return .success(size: t.bytes)
        case CURLE_TOO_MANY_REDIRECTS:
            return .failure(message: "too many redirects (more than \(configuration.maxRedirects)): \(detail)", transient: false, retryAfter: nil)
        case CURLE_UNSUPPORTED_PROTOCOL:
            return .failure(message: "refused a URL or redirect that is not http or https: \(detail)", transient: false, retryAfter: nil)
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(message: "timed out: \(detail)", transient: true, retryAfter: nil)
        case CURLE_COULDNT_CONNECT:
            return .failure(message: "could not connect: \(detail)", transient: true, retryAfter: nil)
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING:
            return .failure(message: "the transfer broke off: \(detail)", transient: true, retryAfter: nil)
        default:
            return .failure(message: detail, transient: false, retryAfter: nil)
        }
    }
}

/// `Retry-After` as seconds: a delay, or an HTTP date.
enum RetryAfter {
    static func seconds(_ value: String) -> Double? {
        if let s = Double(value.trimmingCharacters(in: .whitespaces)), s >= 0 { return s }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSinceNow)
    }
}
