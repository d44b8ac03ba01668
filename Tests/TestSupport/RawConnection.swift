import Foundation

/// A raw TCP connection to a server on loopback, for what an HTTP client library hides: a request sent byte for
/// byte, a small receive buffer (a slow client's), a connection that sends nothing, an answer read to the close.
public final class RawConnection {
    public let fd: Int32

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
}
