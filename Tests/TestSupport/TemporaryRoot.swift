import Foundation

/// A fresh root folder under the system temp dir, removed by `remove()`.
public struct TemporaryRoot: Sendable {
    public let path: String

    public init(_ label: String = "sluice") {
        path = NSTemporaryDirectory() + "/\(label)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path + "/inbox", withIntermediateDirectories: true)
    }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// Writes a drop under a hidden name, then renames it into `inbox/` (as `sluice submit` does).
    public func drop(_ name: String, _ bytes: [UInt8]) throws {
        let temp = path + "/inbox/.incoming-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temp, contents: Data(bytes)) else { throw CocoaError(.fileWriteUnknown) }
        guard rename(temp, path + "/inbox/" + name) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
    }

    public func drop(_ name: String, json: String) throws { try drop(name, Array(json.utf8)) }

    public func read(_ relative: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path + "/" + relative).map(Array.init)
    }

    /// The JSON object at `relative`, or nil.
    public func json(_ relative: String) -> [String: Any]? {
        guard let bytes = read(relative) else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    public func list(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path + "/" + relative)) ?? []).sorted()
    }

    /// Waits until `condition` holds, up to `timeout` seconds; returns whether it did.
    public func wait(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }
}
