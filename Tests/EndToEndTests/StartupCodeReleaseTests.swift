import CLinux
import Foundation
import Testing

/// `sluice_release_code_pages`, which the daemons (`up`, `watch`, `serve`) call once start-up is over: the code
/// mapping's resident pages go, and code run afterwards is mapped back and runs.
@Suite struct StartupCodeReleaseTests {
    /// The resident kilobytes of this process's mapping that holds `address`, from /proc/self/smaps.
    static func residentKilobytes(ofMappingHolding address: UInt) -> Int? {
        guard let smaps = try? String(contentsOfFile: "/proc/self/smaps", encoding: .utf8) else { return nil }
        var inside = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), fields.count >= 5, !range.hasSuffix(":") {
                let bounds = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
                inside = bounds.count == 2 && bounds[0] <= address && address < bounds[1]
            } else if inside, fields.first == "Rss:", fields.count >= 2 {
                return Int(fields[1])
            }
        }
        return nil
    }

    @Test func theCodePagesGoAndComeBackWhenRun() throws {
        let address = unsafeBitCast(sluice_release_code_pages as @convention(c) () -> Int, to: UInt.self)
        let before = try #require(Self.residentKilobytes(ofMappingHolding: address))
        let released = sluice_release_code_pages()
        let after = try #require(Self.residentKilobytes(ofMappingHolding: address))
        #expect(released > 0, "errno \(errno)")
        #expect(after < before / 2, "\(before) kB resident before, \(after) kB after")
        // Code run afterwards (this test's, Foundation's, the runtime's) is mapped back and works.
        let text = String(decoding: try JSONEncoder().encode(["after": after]), as: UTF8.self)
        #expect(text == "{\"after\":\(after)}")
    }
}
