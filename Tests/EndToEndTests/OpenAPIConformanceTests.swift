import Foundation
import SluiceCore
import Testing
import TestSupport

/// `/openapi.json` against the server it describes: a reader over demo data (pets, photos, files, image tasks) is
/// asked every documented route, with a real id and an unknown one, and each answer's status must be one the
/// document lists, its 200 JSON carrying the fields the document requires.
@Suite struct OpenAPIConformanceTests {
    @Test func everyDocumentedRouteAnswersAsDocumented() async throws {
        let root = TemporaryRoot("e2e-openapi")
        defer { root.remove() }
        let demo = try SluiceProcess.run(["demo", "--root", root.path, "--pets", "4"])
        #expect(demo.status == 0, "\(demo.err)")
        let port = HTTPClient.freePort()
        let serve = try SluiceProcess(["serve", "--root", root.path, "--port", "\(port)"])
        defer { serve.stop() }
        #expect(await HTTPClient.waitForReader(port: port))
        let base = "http://127.0.0.1:\(port)"

        let answer = try await HTTPClient.request(base + "/openapi.json")
        #expect(answer.status == 200 && answer.headers["content-type"] == "application/json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        #expect((document["openapi"] as? String)?.hasPrefix("3.") == true)
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        let sharedResponses = (document["components"] as? [String: Any])?["responses"] as? [String: Any] ?? [:]
        #expect(Set(paths.keys) == ["/healthz", "/files", "/file/{id}", "/file/{id}/download", "/pets", "/pets/{id}", "/tasks",
                                    "/task/{id}", "/status/{id}", "/result/{id}", "/receipts/{name}", "/metrics", "/openapi.json"],
                "every route of SPEC §7, and nothing else")

        // Real ids of each kind, from the demo's outbox.
        let file = try #require((root.json("outbox/files/page-0.json")?["files"] as? [[String: Any]])?.first?["id"] as? String)
        let pet = try #require((root.json("outbox/pets/page-0.json")?["pets"] as? [[String: Any]])?.first?["id"] as? String)
        let task = try #require((root.json("outbox/tasks/page-0.json")?["tasks"] as? [[String: Any]])?.first?["id"] as? String)
        let receipt = try #require(root.list("outbox/receipts").first)
        func ids(for path: String) -> [String] {
            let real = path.hasPrefix("/file") ? file : path.hasPrefix("/pets") ? pet : task
            return [real, Identifier.make(), "not-a-uuid"]
        }

        var asked = 0
        for (path, operations) in paths {
            let get = try #require(operations["get"] as? [String: Any], "\(path) documents GET")
            let documented = Set((get["responses"] as? [String: Any] ?? [:]).keys)
            let urls = path.contains("{id}") ? ids(for: path).map { path.replacingOccurrences(of: "{id}", with: $0) }
                : path.contains("{name}") ? [path.replacingOccurrences(of: "{name}", with: receipt), path.replacingOccurrences(of: "{name}", with: "none.json")]
                : [path, path + "?per_page=0", path + "?limit=500&has_photos=maybe"]
            for url in urls {
                let response = try await HTTPClient.request(base + url)
                asked += 1
                #expect(documented.contains("\(response.status)"), "\(url): \(response.status) is not among \(documented.sorted())")
                guard response.status == 200, response.headers["content-type"] == "application/json" else { continue }
                // The 200 schema's required fields, through one $ref.
                let content = ((get["responses"] as? [String: Any])?["200"] as? [String: Any])?["content"] as? [String: Any]
                let schema = (content?["application/json"] as? [String: Any])?["schema"] as? [String: Any] ?? [:]
                let resolved = (schema["$ref"] as? String).flatMap { schemas[String($0.split(separator: "/").last!)] } ?? schema
                let body = try JSONSerialization.jsonObject(with: Data(response.body))
                if let required = resolved["required"] as? [String], let object = body as? [String: Any], !object.isEmpty {
                    #expect(Set(required).isSubset(of: object.keys), "\(url): missing \(Set(required).subtracting(object.keys))")
                }
            }
            // Shared responses are all defined.
            for case let reference as [String: String] in (get["responses"] as? [String: Any] ?? [:]).values {
                if let ref = reference["$ref"] { #expect(sharedResponses[String(ref.split(separator: "/").last!)] != nil, "\(ref)") }
            }
        }
        #expect(asked > 30)

        // Prometheus' text: the demo's counts, and the requests just made.
        let metrics = try await HTTPClient.request(base + "/metrics")
        #expect(metrics.status == 200 && metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let lines = Set(metrics.text.split(separator: "\n").map(String.init))
        #expect(lines.contains(#"sluice_tasks{status="finished"} 6"#), "\(metrics.text.prefix(1500))")
        #expect(lines.contains("sluice_pets 4") && lines.contains(#"sluice_jobs{kind="image",state="queued"} 0"#))
        #expect(lines.contains("# TYPE sluice_reader_request_duration_seconds histogram"))
        #expect(lines.contains { $0.hasPrefix(#"sluice_reader_requests_total{code="200"} "#) })
        #expect(lines.contains { $0.hasPrefix("sluice_drops_total ") && Int($0.split(separator: " ").last!)! >= 4 })
        let count = lines.first { $0.hasPrefix("sluice_reader_request_duration_seconds_count ") }.flatMap { Int($0.split(separator: " ").last!) }
        #expect((count ?? 0) >= asked, "every answer timed")
        // A write is 405 everywhere, as documented in the description.
        #expect(try await HTTPClient.request(base + "/openapi.json", method: "POST").status == 405)
    }

    /// schemathesis (`./sluice.sh test` installs it and names it in `SLUICE_SCHEMATHESIS`) against a reader over demo
    /// data: every check, zero failures.
    @Test(.enabled(if: !(ProcessInfo.processInfo.environment["SLUICE_SCHEMATHESIS"] ?? "").isEmpty,
                   "set by ./sluice.sh test, which installs schemathesis"))
    func schemathesisFindsNothing() async throws {
        let root = TemporaryRoot("e2e-schemathesis")
        defer { root.remove() }
        #expect(try SluiceProcess.run(["demo", "--root", root.path, "--pets", "4"]).status == 0)
        let port = HTTPClient.freePort()
        let serve = try SluiceProcess(["serve", "--root", root.path, "--port", "\(port)"])
        defer { serve.stop() }
        #expect(await HTTPClient.waitForReader(port: port))
        let st = Process()
        st.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["SLUICE_SCHEMATHESIS"]!)
        st.arguments = ["run", "http://127.0.0.1:\(port)/openapi.json", "--checks", "all", "--max-examples", "40", "--seed", "1"]
        var environment = ProcessInfo.processInfo.environment
        environment["SCHEMATHESIS_HOOKS"] = nil
        st.environment = environment
        st.currentDirectoryURL = URL(fileURLWithPath: root.path) // its cache folder goes there, not into the checkout
        let output = Pipe()
        st.standardOutput = output
        st.standardError = output
        try st.run()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        st.waitUntilExit()
        #expect(st.terminationStatus == 0, "\(report.suffix(3000))")
        #expect(report.contains("passed"))
    }
}
