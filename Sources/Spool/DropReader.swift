#if canImport(Glibc)
import Glibc
#endif
public import SluiceCore

/// Reads a claimed entry into a `Drop`: request files parsed (within the size cap), uploads sniffed.
public struct DropReader: Sendable {
    public var limits: Limits

    public init(limits: Limits) { self.limits = limits }

    /// Reads and closes `entry`.
    public func read(_ claim: ClaimedDrop, _ entry: OpenedEntry, receivedAt: Timestamp) -> Drop {
        Drop(requestID: claim.requestID, name: claim.name, receivedAt: receivedAt, content: content(claim.name, entry))
    }

    private func content(_ name: String, _ entry: OpenedEntry) -> Drop.Content {
        guard entry.isRegular else {
            return .refused(RequestFailure(status: 422, description: "\"\(name)\" is a \(entry.typeDescription), not a regular file: only regular files are taken from inbox/, and nothing was read from it.", data: .null, errors: [("", ["not a regular file: \(entry.typeDescription)"])]))
        }
        defer { close(entry.fd) }
        let size = entry.size
        if RootLayout.isRequestFile(name) {
            if size > limits.maxRequestBytes {
                return .refused(RequestFailure(status: 413, description: "The request file is \(size) bytes; the limit is \(limits.maxRequestBytes) bytes (--max-request-bytes). Nothing of it was read.", data: .null, errors: [("", ["request file too large"])]))
            }
            guard let bytes = readAll(entry.fd, size: size) else {
                return .refused(RequestFailure(status: 400, description: "The request file could not be read: \(String(cString: strerror(errno))).", data: .null, errors: [("", ["unreadable"])]))
            }
            if bytes.count > limits.maxRequestBytes {
                return .refused(RequestFailure(status: 413, description: "The request file grew past the limit of \(limits.maxRequestBytes) bytes while it was read.", data: .null, errors: [("", ["request file too large"])]))
            }
            do {
                return .document(try JSONParser.parse(bytes))
            } catch {
                return .refused(RequestFailure(status: 400, description: "The request file is not valid JSON: \(error.description). Write one JSON object or an array of objects in UTF-8.", data: .null, errors: [("", [error.description])]))
            }
        }
        var header = [UInt8](repeating: 0, count: ContentSniffer.headerLength)
        let n = header.withUnsafeMutableBytes { buffer in retryingEINTR { pread(entry.fd, buffer.baseAddress, buffer.count, 0) } }
        let first = Array(header.prefix(max(0, n)))
        let type = ContentSniffer.sniff(first)
        guard type.kind == .image else { return .upload(type, size: size) }
        return .upload(type, size: size, imageSize: ImageHeader.read(fd: entry.fd, first: first),
                       imageTruncated: !ImageTrailer.isComplete(mime: type.mime, size: Int64(size), fd: entry.fd))
    }

    private func readAll(_ fd: Int32, size: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: max(size, 0) + 1)
        var count = 0
        while true {
            if count == bytes.count {
                if count > limits.maxRequestBytes { break }
                bytes.append(contentsOf: repeatElement(0, count: max(4096, count)))
            }
            let n = bytes.withUnsafeMutableBytes { buffer in
                retryingEINTR { Glibc.read(fd, buffer.baseAddress! + count, buffer.count - count) }
            }
            if n < 0 { return nil }
            if n == 0 { break }
            count += n
        }
        bytes.removeSubrange(count...)
        return bytes
    }
}
