#if canImport(Glibc)
import Glibc
#endif
public import SluiceCore
import CLinux

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
        var upload = Upload(type, size: size)
        if type.kind == .image {
            let image = ImageInspection.inspect(mime: type.mime, first: first, size: Int64(size), fd: entry.fd)
            upload.imageSize = image.size
            upload.imageTruncated = image.truncated
        }
        // The name and comment given with the file (`UploadAttributes`): checked here, before its bytes are stored.
        var problems: [(String, [String])] = []
        /// The attribute's text when it is there and passes `rules`; its problems noted otherwise.
        func given(_ key: String, longest: Int, _ rules: (String, Limits) -> [String]) -> String? {
            switch attribute(key, of: entry.fd, longest: longest) {
            case .absent: return nil
            case let .unusable(why): problems.append((key, [why])); return nil
            case let .text(text):
                let found = rules(text, limits)
                if !found.isEmpty { problems.append((key, found)) }
                return found.isEmpty ? text : nil
            }
        }
        // One call tells most files apart: they carry no extended attribute at all (an error here reads them anyway).
        if flistxattr(entry.fd, nil, 0) != 0 {
            upload.name = given(UploadAttributes.name, longest: limits.maxNameBytes, FileFields.nameProblems)
            upload.comment = given(UploadAttributes.comment, longest: limits.maxCommentBytes, FileFields.commentProblems)
        }
        guard problems.isEmpty else {
            return .refused(RequestFailure(status: 422, description: "The name or comment given with \"\(name)\" cannot be used: nothing of the upload was stored. Fix the extended attribute, or drop the file without it.", data: .null, errors: problems))
        }
        return .upload(upload)
    }

    private enum Attribute { case absent, text(String), unusable(String) }

    /// One extended attribute of the open file: absent (none, or a file system without them), UTF-8 text of at most
    /// `longest` bytes, or unusable (longer, not UTF-8, or unreadable: never taken for absent, which would lose it).
    private func attribute(_ key: String, of fd: Int32, longest: Int) -> Attribute {
        var buffer = [UInt8](repeating: 0, count: longest + 1)
        let n = buffer.withUnsafeMutableBytes { fgetxattr(fd, key, $0.baseAddress, $0.count) }
        if n < 0 {
            switch errno {
            case ENODATA, ENOTSUP: return .absent
            case ERANGE, E2BIG: return .unusable("longer than \(longest) bytes")
            case let e: return .unusable("could not be read: \(String(cString: strerror(e)))")
            }
        }
        if n > longest { return .unusable("longer than \(longest) bytes") }
        guard let text = String(validating: buffer.prefix(n), as: UTF8.self) else { return .unusable("not UTF-8") }
        return .text(text)
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
