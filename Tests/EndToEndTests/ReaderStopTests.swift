import Foundation
import Testing
import TestSupport

/// A reader stopped (SIGTERM) in the middle of a download lets it finish, then exits cleanly, even with an idle
/// keep-alive connection open.
@Suite struct ReaderStopTests {
    @Test func aStopLetsTheDownloadUnderWayFinish() async throws {
        let root = TemporaryRoot("e2e-reader-stop")
        defer { root.remove() }
        try FileManager.default.createDirectory(atPath: root.path + "/outbox", withIntermediateDirectories: true)
        let size = 40_000_000
        try Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: root.path + "/outbox/big.bin"))
        let port = HTTPClient.freePort()
        let serve = try SluiceProcess(["serve", "--root", root.path, "--port", "\(port)"])
        #expect(await HTTPClient.waitForReader(port: port))

        func connect() -> Int32 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var small: Int32 = 65536
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            return fd
        }
        let idle = connect() // a keep-alive connection with no request: it must not hold the stop
        defer { close(idle) }
        let fd = connect()
        defer { close(fd) }
        let request = Array("GET /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var stopped = false
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += chunk[..<n]
            if !stopped && received.count > 2_000_000 {
                serve.kill(SIGTERM) // a download well under way
                stopped = true
            }
            usleep(200) // a client slower than the server
        }
        #expect(stopped)
        let head = received.firstIndex(of: 0x0D).map { String(decoding: received[..<$0], as: UTF8.self) } ?? ""
        #expect(head.hasPrefix("HTTP/1.1 200"))
        let bodyStart = (0..<(received.count - 3)).first { received[$0] == 0x0D && received[$0 + 1] == 0x0A && received[$0 + 2] == 0x0D && received[$0 + 3] == 0x0A }.map { $0 + 4 } ?? 0
        #expect(received.count - bodyStart == size, "the whole body arrived: \(received.count - bodyStart) of \(size)")
        #expect(serve.wait(timeout: 10), "the reader exits once the download is done")
        #expect(serve.process.terminationStatus == 0, "\(serve.errorOutput.suffix(500))")
    }
}
