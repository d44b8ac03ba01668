import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// One running download: its easy handle, its `.part` descriptor and what the callbacks learned.
final class Transfer {
    let spec: DownloadSpec
    let handle: UnsafeMutableRawPointer
    let file: DownloadedFile
    let maxBytes: Int64
    let started: Double
    var bytes: Int64 { file.size }
    var tooLarge = false
    var writeErrno: Int32 = 0
    var httpStatus = 0
    var contentDisposition: String?
    var retryAfter: String?
    /// curl writes its error text here; it must outlive the handle, so it is allocated, not an Array.
    let errorBuffer: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        p.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        return p
    }()

    init(spec: DownloadSpec, handle: UnsafeMutableRawPointer, file: DownloadedFile, maxBytes: Int64, started: Double) {
        self.spec = spec; self.handle = handle; self.file = file; self.maxBytes = maxBytes; self.started = started
    }

    deinit {
        sluice_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Called with each chunk of the body: counts bytes against the cap and writes them.
    func receive(_ data: UnsafeRawPointer, _ count: Int) -> Int {
        if bytes == 0 {
            var code = 0
            sluice_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
            httpStatus = code
            if code >= 400 { return 0 } // abort: an error page is not the file
        }
        if bytes + Int64(count) > maxBytes { tooLarge = true; return 0 }
        guard file.append(data, count) else { writeErrno = errno; return 0 }
        return count
    }

    /// Called with each header line; a status line starts a new response (after a redirect).
    func header(_ line: String) {
        if line.hasPrefix("HTTP/") {
            contentDisposition = nil; retryAfter = nil
            let parts = line.split(separator: " ")
            if parts.count > 1, let code = Int(parts[1]) { httpStatus = code }
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t\r\n")
        switch name {
        case "content-disposition": contentDisposition = value
        case "retry-after": retryAfter = value
        default: break
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
