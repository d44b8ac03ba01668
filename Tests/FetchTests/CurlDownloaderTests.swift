import Foundation
import Testing
import Fetch
import TestSupport

/// Runs specs through a real `CurlDownloader`, names each success `<key>.bin`, lets `inspect` look at the
/// folder, then removes it.
func download(_ paths: [String], from server: LocalHTTPServer?, configure: (inout FetchConfiguration) -> Void = { _ in },
              inspect: (String) throws -> Void = { _ in }) async throws -> [String: DownloadResult]
{
    var configuration = FetchConfiguration()
    configure(&configuration)
    let folder = NSTemporaryDirectory() + "/fetch-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let (stream, continuation) = AsyncStream<DownloadResult>.makeStream()
    let downloader = CurlDownloader(configuration: configuration) { continuation.yield($0) }
    downloader.start()
    defer { downloader.stop() }
    let specs = paths.enumerated().map { i, path in
        DownloadSpec(key: "\(i)", url: path.hasPrefix("http") ? path : server!.base + path, folder: folder)
    }
    downloader.submit(specs)
    var results: [String: DownloadResult] = [:]
    for await result in stream {
        results[result.key] = result
        // Name each successful download as the pipeline does; failures leave nothing behind.
        try result.file?.place(atPath: folder + "/\(result.key).bin")
        if results.count == specs.count { break }
    }
    try inspect(folder)
    return results
}

func failure(_ r: DownloadResult?) -> (message: String, transient: Bool)? {
    guard case let .failure(message, transient, _)? = r?.outcome else { return nil }
    return (message, transient)
}

@Suite(.serialized) struct CurlDownloaderTests {
    @Test func downloadsManyFilesAtOnceWithTheirExactBytes() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let paths = (0..<40).map { "/bytes/\(1000 + $0 * 997)" } + ["/chunked/300000", "/redirect-to/5000"]
        let sizes = paths.map { Int($0.split(separator: "/").last!)! }
        let results = try await download(paths, from: server, inspect: { folder in
            for (i, n) in sizes.enumerated() {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/\(i).bin"))
                let same = Array(bytes) == LocalHTTPServer.pattern(n)
                #expect(same, "\(paths[i]): the stored bytes differ from what was served")
            }
        })
        for (i, path) in paths.enumerated() {
            #expect(results["\(i)"]?.outcome == .success(size: Int64(sizes[i])), "\(path)")
        }
        #expect(results["0"]!.seconds > 0)
    }

    @Test func capsTheSizeWithAndWithoutAContentLength() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let results = try await download(["/bytes/200000", "/chunked/200000", "/bytes/100000"], from: server,
                                         configure: { $0.maxBytes = 100_000 }, inspect: { folder in
            let left = try FileManager.default.contentsOfDirectory(atPath: folder)
            #expect(left == ["2.bin"], "refused downloads leave no file behind")
        })
        #expect(failure(results["0"])?.message.contains("larger than the limit of 100000 bytes") == true)
        #expect(failure(results["0"])?.transient == false)
        #expect(failure(results["1"])?.message.contains("larger than the limit of 100000 bytes") == true, "no length: counted in the write callback")
        #expect(results["2"]?.outcome == .success(size: 100_000), "exactly the cap is allowed")
    }

    @Test func reportsHTTPErrorsAndWhichAreWorthRetrying() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let results = try await download(["/status/404", "/status/500", "/status/429", "/status/503"], from: server)
        #expect(failure(results["0"])?.message == "HTTP 404 from the server")
        #expect(failure(results["0"])?.transient == false)
        #expect(failure(results["1"])?.transient == true)
        #expect(failure(results["2"])?.transient == true)
        guard case let .failure(_, _, retryAfter)? = results["3"]?.outcome else { Issue.record(); return }
        #expect(retryAfter == 0, "Retry-After is passed on")
    }

    @Test func refusesRedirectLoopsAndOtherSchemes() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let results = try await download(["/redirect-loop", "/redirect-file"], from: server) { $0.maxRedirects = 5 }
        #expect(failure(results["0"])?.message.contains("too many redirects (more than 5)") == true)
        #expect(failure(results["1"])?.message.contains("not http or https") == true, "\(failure(results["1"])?.message ?? "")")
    }

    @Test func refusedConnectionsAndStallsFailWithTheirReason() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let results = try await download(["http://127.0.0.1:1/x", "/stall"], from: server) { $0.lowSpeedTime = 1 }
        #expect(failure(results["0"])?.message.hasPrefix("could not connect") == true)
        #expect(failure(results["0"])?.transient == true)
        #expect(failure(results["1"])?.message.hasPrefix("timed out") == true, "\(failure(results["1"])?.message ?? "")")
    }

    @Test func passesTheServersSuggestedNameOnUnsanitised() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let cd = "attachment; filename=\"../../evil.sh\"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf"
        let results = try await download(["/named?cd=" + cd.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!], from: server)
        #expect(results["0"]?.suggestedName == "отчёт.pdf", "filename* wins over filename")
    }

    @Test func startsNoMoreTransfersThanTheLimitsAllowAndReportsEachStart() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        var configuration = FetchConfiguration()
        configuration.maxPerHost = 3
        configuration.maxConcurrent = 5
        // Two host names for one server: the per-host limit counts them apart, the total limit together.
        let hosts = ["http://127.0.0.1:\(server.port)", "http://localhost:\(server.port)"]
        let specs = (0..<24).map { i in
            DownloadSpec(key: "\(i)", url: "\(hosts[i % 2])/slow/40/\(2000 + i)", folder: NSTemporaryDirectory())
        }
        enum Event { case started(String), finished(DownloadResult) }
        let (stream, continuation) = AsyncStream<Event>.makeStream()
        let downloader = CurlDownloader(configuration: configuration, onStart: { continuation.yield(.started($0)) },
                                        onComplete: { continuation.yield(.finished($0)) })
        downloader.start()
        defer { downloader.stop() }
        downloader.submit(specs)

        var running: [String: Int] = [:] // per host
        var peak: [String: Int] = [:]
        var peakTotal = 0
        var started = Set<String>()
        var finished: [String: DownloadResult] = [:]
        for await event in stream {
            switch event {
            case let .started(key):
                #expect(started.insert(key).inserted, "\(key) started twice")
                let host = hosts[Int(key)! % 2]
                running[host, default: 0] += 1
                peak[host] = max(peak[host] ?? 0, running[host]!)
                peakTotal = max(peakTotal, running.values.reduce(0, +))
            case let .finished(result):
                #expect(started.contains(result.key), "\(result.key) finished without having started")
                running[hosts[Int(result.key)! % 2]]! -= 1
                finished[result.key] = result
            }
            if finished.count == specs.count { break }
        }
        for spec in specs {
            #expect(finished[spec.key]?.outcome == .success(size: Int64(2000 + Int(spec.key)!)), "\(spec.url)")
        }
        #expect(peak.values.allSatisfy { $0 <= 3 }, "per host: \(peak)")
        #expect(peakTotal == 5, "both hosts together are held to maxConcurrent, and reach it")
    }
}

@Suite struct ContentDispositionTests {
    @Test func readsBothForms() {
        #expect(ContentDisposition.filename("attachment; filename=\"a b.txt\"") == "a b.txt")
        #expect(ContentDisposition.filename("attachment; filename=plain.txt") == "plain.txt")
        #expect(ContentDisposition.filename("inline; filename=\"x;y.txt\"; size=3") == "x;y.txt")
        #expect(ContentDisposition.filename("attachment; filename*=UTF-8''%E2%82%AC.txt; filename=\"e.txt\"") == "€.txt")
        #expect(ContentDisposition.filename("attachment") == nil)
    }
}
