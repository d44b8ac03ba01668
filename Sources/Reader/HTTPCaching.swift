import Foundation
import Hummingbird
import HTTPTypes
#if canImport(Glibc)
import Glibc
#endif

/// Validators, conditional answers (RFC 9110 §13) and byte ranges (§14) for the reader's responses: one owner for
/// how every answer with a body is cached and revalidated.
enum HTTPCaching {
    /// `Cache-Control` of an answer computed from the catalogue (it changes with any drop): keep it, but ask first.
    static let revalidate = "no-cache"
    /// `Cache-Control` of stored bytes, which never change under their id (a new result or upload is a new id);
    /// `private` when an API key guards them (a shared cache cannot tell `X-API-KEY` is a credential).
    static func storedBytes(keyed: Bool) -> String { keyed ? "private, max-age=86400" : "max-age=86400" }
    /// `Cache-Control` of an error: not worth keeping.
    static let noStore = "no-store"

    /// A strong ETag of a body: a 64-bit hash of it, eight bytes a step (FNV-1a's constants over words, each step
    /// folded), and its length.
    static func etag(of bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        bytes.withUnsafeBytes { raw in
            let words = raw.count / 8
            for i in 0..<words {
                hash = (hash ^ raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) &* 0x0000_0100_0000_01B3
                hash ^= hash >> 29
            }
            for i in (words * 8)..<raw.count { hash = (hash ^ UInt64(raw[i])) &* 0x0000_0100_0000_01B3 }
        }
        return "\"" + String(hash, radix: 16) + "-" + String(bytes.count, radix: 16) + "\""
    }

    /// A strong ETag of a file as it is on disk: a file rewritten in place of it (the outbox renames new versions
    /// over old ones) has another inode or time.
    static func etag(of status: stat) -> String {
        let nanoseconds = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        return "\"" + String(status.st_ino, radix: 16) + "-" + String(status.st_size, radix: 16) + "-" + String(nanoseconds, radix: 16) + "\""
    }

    /// A file's validators as one answer carries them.
    struct Validators: Sendable {
        let etag: String
        let lastModified: String

        init(_ status: stat) {
            etag = HTTPCaching.etag(of: status)
            lastModified = HTTPCaching.httpDate(Int(status.st_mtim.tv_sec))
        }
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT` (IMF-fixdate).
    static func httpDate(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(Self.days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The seconds of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`); nil for anything else.
    static func parseHTTPDate(_ text: String) -> Int? {
        let words = text.split(separator: " ")
        guard words.count == 6, words[5] == "GMT", let day = Int(words[1]), let month = months.firstIndex(of: String(words[2])),
              let year = Int(words[3]) else { return nil }
        let clock = words[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (1...31).contains(day), (0...23).contains(clock[0]), (0...59).contains(clock[1]), (0...60).contains(clock[2])
        else { return nil }
        // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
        let y = month < 2 ? year - 1 : year, m = month + 1
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return days * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2]
    }

    /// True when the request's validators match the answer's: `If-None-Match` against its ETag (weak comparison, `*`
    /// matching any), else `If-Modified-Since` against its `Last-Modified`.
    static func notModified(_ request: Request, etag: String?, lastModified: String?) -> Bool {
        if let ifNoneMatch = request.headers[.ifNoneMatch] {
            guard let etag else { return false }
            return ifNoneMatch.split(separator: ",").contains { candidate in
                let tag = candidate.trimmingCharacters(in: .whitespaces)
                return tag == "*" || tag == etag || tag == "W/" + etag
            }
        }
        guard let since = request.headers[.ifModifiedSince].flatMap(parseHTTPDate),
              let modified = lastModified.flatMap(parseHTTPDate) else { return false }
        return modified <= since
    }

    /// Whether a request asks anything that can change a file's answer from its whole 200: validators or a range.
    static func asksConditionOrRange(_ headers: HTTPFields) -> Bool {
        headers.contains(.ifNoneMatch) || headers.contains(.ifModifiedSince) || headers.contains(.range) || headers.contains(.ifRange)
    }

    /// The 304 for an answer with `headers`: its validators and caching rules, no body.
    static func notModifiedResponse(_ headers: HTTPFields) -> Response {
        var kept = HTTPFields()
        for name in [HTTPField.Name.eTag, .lastModified, .cacheControl, .contentLocation, .vary] {
            if let value = headers[name] { kept[name] = value }
        }
        return Response(status: .notModified, headers: kept)
    }

    /// A 304 in place of `response` when the request's validators match it (RFC 9110 §13.2.2: before any range, so
    /// also in place of a 206 or 416). Files check this before reading anything (`ReaderRoutes.answer`).
    static func conditional(_ request: Request, _ response: Response) -> Response {
        switch response.status {
        case .ok, .partialContent, .rangeNotSatisfiable: break
        default: return response
        }
        guard request.headers.contains(.ifNoneMatch) || request.headers.contains(.ifModifiedSince),
              notModified(request, etag: response.headers[.eTag], lastModified: response.headers[.lastModified]) else { return response }
        return notModifiedResponse(response.headers)
    }

    /// What a `Range` header asks of a body of `size` bytes.
    enum RangeAnswer: Equatable {
        /// No range, or one this server answers with the whole body (several ranges, another unit, malformed).
        case whole
        case part(ClosedRange<Int>)
        /// A range wholly past the end: 416.
        case unsatisfiable
    }

    /// One range of `bytes=first-last`, `bytes=first-` or `bytes=-suffix` (the last `suffix` bytes).
    /// An empty body is answered whole (there is no byte to range over).
    static func range(_ header: String?, size: Int) -> RangeAnswer {
        guard let header, header.lowercased().hasPrefix("bytes="), !header.contains(","), size > 0 else { return .whole }
        let spec = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        func digits(_ text: Substring) -> Bool { !text.isEmpty && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        if first.isEmpty {
            guard digits(last) else { return .whole }
            let suffix = Int(last) ?? .max // more digits than an Int holds: more than the body
            return suffix > 0 ? .part(max(0, size - suffix)...(size - 1)) : .unsatisfiable
        }
        guard digits(first) else { return .whole }
        guard let start = Int(first), start < size else { return .unsatisfiable }
        if last.isEmpty { return .part(start...(size - 1)) }
        guard digits(last) else { return .whole }
        let end = Int(last) ?? .max
        guard end >= start else { return .whole }
        return .part(start...min(end, size - 1))
    }
}
