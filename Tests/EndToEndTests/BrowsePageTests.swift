import Foundation
import SluiceCore
import Testing
import TestSupport

/// `outbox/index.html` rendered by headless Chromium against a reader over demo data: the DOM a person would see
/// (each pet with its photo, the files, a task with its result, the recent receipts), and a screenshot kept as a build
/// artifact (`.build/artifacts/browse-page.png`).
@Suite struct BrowsePageTests {
    static let browserPath = ProcessInfo.processInfo.environment["SLUICE_CHROMIUM"].flatMap { $0.isEmpty ? nil : $0 }

    /// Runs Chromium headless on `url` with `arguments`; what it printed.
    func chromium(_ arguments: [String], _ url: String) throws -> String {
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: Self.browserPath!)
        let profile = NSTemporaryDirectory() + "/chromium-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: profile) }
        browser.arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                             "--user-data-dir=\(profile)", "--virtual-time-budget=10000"] + arguments + [url]
        let output = Pipe()
        browser.standardOutput = output
        browser.standardError = FileHandle.nullDevice
        try browser.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        browser.waitUntilExit()
        return text
    }

    @Test(.enabled(if: browserPath != nil, "set by ./sluice.sh test, which installs chromium"))
    func theBrowsePageShowsWhatTheOutboxHolds() async throws {
        let root = TemporaryRoot("e2e-browse")
        defer { root.remove() }
        let demo = try SluiceProcess.run(["demo", "--root", root.path, "--pets", "5"])
        #expect(demo.status == 0, "\(demo.err)")
        // One refused drop, so that the receipts show an error.
        try root.drop("bad.json", json: #"{"op": "pet.create", "name": "", "age": 3, "type": "dog"}"#)
        #expect(try SluiceProcess.run(["run", "--root", root.path]).status == 0)
        let port = HTTPClient.freePort()
        let serve = try SluiceProcess(["serve", "--root", root.path, "--port", "\(port)"])
        defer { serve.stop() }
        #expect(await HTTPClient.waitForReader(port: port))
        let url = "http://127.0.0.1:\(port)/"

        // The rendered document, without the page's own script (whose templates hold the same markup).
        let dom = try #require(try chromium(["--dump-dom"], url).components(separatedBy: "<script>").first)
        let pets = try #require(root.json("outbox/pets/page-0.json")?["pets"] as? [[String: Any]])
        #expect(pets.count == 5)
        for pet in pets {
            let name = try #require(pet["name"] as? String)
            #expect(dom.contains("<b>\(name)</b>"), "pet \(name) is shown")
            for photo in (pet["photos"] as? [[String: Any]] ?? []) {
                let id = try #require(photo["id"] as? String)
                #expect(dom.contains("src=\"file/\(id)/download\""), "pet \(name)'s photo \(id) is shown")
            }
        }
        let files = try #require(root.json("outbox/files/index.json")?["count"] as? Int)
        #expect(dom.components(separatedBy: "<tr class=\"file\">").count - 1 == files, "a row per file")
        let task = try #require((root.json("outbox/tasks/page-0.json")?["tasks"] as? [[String: Any]])?.last)
        let result = try #require(task["result_path"] as? String)
        #expect(dom.contains("src=\"\(result)\""), "a task's result thumbnail")
        #expect(dom.contains("bad.json") && dom.contains("The request is invalid"), "the recent receipts, with the refusal's reason")

        // Behind an API key, the page still opens, and asks for the key instead of showing data.
        let keyedPort = HTTPClient.freePort()
        let keyed = try SluiceProcess(["serve", "--root", root.path, "--port", "\(keyedPort)", "--api-key", "s3cret"])
        defer { keyed.stop() }
        #expect(await HTTPClient.waitForReader(port: keyedPort))
        let locked = try #require(try chromium(["--dump-dom"], "http://127.0.0.1:\(keyedPort)/").components(separatedBy: "<script>").first)
        #expect(locked.contains(#"id="key" style="display: block;""#), "the key is asked for")
        #expect(!pets.contains { locked.contains("<b>\($0["name"] as? String ?? "?")</b>") }, "no data without the key")

        // A screenshot for people, kept with the build.
        let artifacts = FileManager.default.currentDirectoryPath + "/.build/artifacts"
        try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
        _ = try chromium(["--screenshot=\(artifacts)/browse-page.png", "--window-size=1280,2400"], url)
        let png = try #require(FileManager.default.contents(atPath: artifacts + "/browse-page.png"))
        #expect(png.count > 10_000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }
}
