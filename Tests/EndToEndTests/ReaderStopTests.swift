import Foundation
import Testing
import TestSupport

/// A reader stopped (SIGTERM) in the middle of a download lets it finish, then exits cleanly, even with an idle
/// keep-alive connection open.
@Suite struct ReaderStopTests {
    /// `sluice serve` over a root whose `outbox/<name>` holds `size` patterned bytes, and its port.
    func serving(_ root: TemporaryRoot, _ name: String, size: Int) async throws -> (SluiceProcess, Int) {
        try FileManager.default.createDirectory(atPath: root.path + "/outbox", withIntermediateDirectories: true)
        try Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: root.path + "/outbox/" + name))
        let port = HTTPClient.freePort()
        let serve = try SluiceProcess(["serve", "--root", root.path, "--port", "\(port)"])
        #expect(await HTTPClient.waitForReader(port: port))
        return (serve, port)
    }

    /// The status line of an answer read whole, and how many bytes follow its head.
    func parse(_ received: [UInt8]) -> (status: String, bodyBytes: Int) {
        let status = received.firstIndex(of: 0x0D).map { String(decoding: received[..<$0], as: UTF8.self) } ?? ""
        let bodyStart = (0..<max(0, received.count - 3)).first {
            received[$0] == 0x0D && received[$0 + 1] == 0x0A && received[$0 + 2] == 0x0D && received[$0 + 3] == 0x0A
        }.map { $0 + 4 } ?? 0
        return (status, received.count - bodyStart)
    }

    @Test func aStopLetsTheDownloadUnderWayFinish() async throws {
        let root = TemporaryRoot("e2e-reader-stop")
        defer { root.remove() }
        let size = 40_000_000
        let (serve, port) = try await serving(root, "big.bin", size: size)
        let idle = RawConnection(port: port, receiveBuffer: 65536) // a keep-alive connection with no request: it must not hold the stop
        let client = RawConnection(port: port, receiveBuffer: 65536)
        client.send("GET /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        var stopped = false
        // A client slower than the server; a download well under way when the stop comes.
        let (received, _) = client.readUntilClosed(pause: .microseconds(200)) { count in
            if !stopped && count > 2_000_000 {
                serve.kill(SIGTERM)
                stopped = true
            }
        }
        #expect(stopped)
        let answer = parse(received)
        #expect(answer.status.hasPrefix("HTTP/1.1 200"))
        #expect(answer.bodyBytes == size, "the whole body arrived: \(answer.bodyBytes) of \(size)")
        #expect(serve.wait(timeout: 10), "the reader exits once the download is done")
        #expect(serve.process.terminationStatus == 0, "\(serve.errorOutput.suffix(500))")
        withExtendedLifetime(idle) {} // open until the reader has exited
    }

    /// A page sent from memory (up to 256 KiB, read at once) to a client that reads it slowly is not cut by a stop
    /// either. (The answer counts until its body is written, not until its handler returns; on loopback the kernel's
    /// send buffer would hold such a page anyway, so this guards the stop as a whole, not that difference.)
    @Test func aStopLetsAPageBeingSentFinish() async throws {
        let root = TemporaryRoot("e2e-reader-stop-page")
        defer { root.remove() }
        let size = 250_000
        let (serve, port) = try await serving(root, "page.bin", size: size)
        let client = RawConnection(port: port, receiveBuffer: 4096)
        client.send("GET /page.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        try await Task.sleep(for: .milliseconds(300)) // answered: its handler long returned, its bytes waiting on the client
        serve.kill(SIGTERM)
        client.receiveTimeout(seconds: 10)
        let (received, _) = client.readUntilClosed(pause: .milliseconds(2))
        let answer = parse(received)
        #expect(answer.status.hasPrefix("HTTP/1.1 200"), "\(answer.status)")
        #expect(answer.bodyBytes == size, "the whole page arrived: \(answer.bodyBytes) of \(size)")
        #expect(serve.wait(timeout: 10), "the reader exits once the page is sent")
        #expect(serve.process.terminationStatus == 0, "\(serve.errorOutput.suffix(500))")
    }
}
