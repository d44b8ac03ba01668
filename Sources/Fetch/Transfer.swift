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

    /// Called with each header line's bytes; a status line starts a new response (after a redirect). Only the
    /// headers it keeps become strings: a burst of small downloads passes a dozen lines per file through here.
    func header(_ line: UnsafeRawBufferPointer) {
        if line.starts(with: "HTTP/".utf8) {
            contentDisposition = nil; retryAfter = nil
            // "HTTP/1.1 200 OK": the digits after the first space.
            guard let space = line.firstIndex(of: UInt8(ascii: " ")) else { return }
            var code = 0, digits = 0
            for byte in line[(space + 1)...] {
                guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"), digits < 3 else { break }
                code = code * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
            }
            if digits == 3 { httpStatus = code }
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = line[..<colon]
        let kept: ReferenceWritableKeyPath<Transfer, String?>
        if Self.isHeader(name, "content-disposition") { kept = \.contentDisposition }
        else if Self.isHeader(name, "retry-after") { kept = \.retryAfter }
        else { return }
        var value = line[(colon + 1)...]
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }
        while let first = value.first, blank(first) { value = value.dropFirst() }
        while let last = value.last, blank(last) { value = value.dropLast() }
        self[keyPath: kept] = String(decoding: value, as: UTF8.self)
    }

    /// Whether a header's name is `lowercased` (given in lower case), in any case.
    private static func isHeader(_ name: Slice<UnsafeRawBufferPointer>, _ lowercased: StaticString) -> Bool {
        guard name.count == lowercased.utf8CodeUnitCount else { return false }
        let expected = UnsafeRawBufferPointer(start: lowercased.utf8Start, count: lowercased.utf8CodeUnitCount)
        return zip(name, expected).allSatisfy { byte, lower in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte) == lower
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
