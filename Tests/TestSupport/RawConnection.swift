import Foundation

/// A raw TCP connection to a server on loopback, for what an HTTP client library hides: a request sent byte for
/// byte, a small receive buffer (a slow client's), a connection that sends nothing, an answer read to the close.
public final class RawConnection {
    public let fd: Int32
    /// Bytes read past the last answer `readAnswer` returned.
    private var pending: [UInt8] = []

    /// Connects to 127.0.0.1:`port`, with a receive buffer of `receiveBuffer` bytes when given.
    public init(port: Int, receiveBuffer: Int32? = nil) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    deinit { close(fd) }

    public func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// A read waits at most this long for the next bytes.
    public func receiveTimeout(seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads until the server closes the connection, a read times out, or `limit` bytes came: what came, and
    /// whether the server closed it. `received` sees the count so far after each read (a test stops the server
    /// mid-answer there); `pause` after each read makes a client slower than the server.
    public func readUntilClosed(limit: Int = .max, pause: Duration = .zero,
                                received: (Int) -> Void = { _ in }) -> (bytes: [UInt8], closed: Bool) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while bytes.count < limit {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return (bytes, true) }
            if n < 0 { break }
            bytes += chunk[..<n]
            received(bytes.count)
            if pause > .zero { usleep(useconds_t(pause.components.seconds * 1_000_000 + pause.components.attoseconds / 1_000_000_000_000)) }
        }
        return (bytes, false)
    }

    /// Reads one answer to a GET: its head (status line and headers, as text) and its body of `Content-Length` bytes
    /// (none without one); nil when the connection ends or a read times out first. Bytes past it stay for the next
    /// call (and only for it: `readUntilClosed` reads the socket).
    public func readAnswer() -> (head: String, body: [UInt8])? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        func fill() -> Bool {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { pending += chunk[..<n] }
            return n > 0
        }
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var end: Int?
        while end == nil {
            end = pending.firstRange(of: separator)?.lowerBound
            if end == nil && !fill() { return nil }
        }
        let head = String(decoding: pending[..<end!], as: UTF8.self)
        let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        while pending.count < end! + 4 + length { if !fill() { return nil } }
        let body = Array(pending[(end! + 4)..<(end! + 4 + length)])
        pending.removeFirst(end! + 4 + length)
        return (head, body)
    }
}
