import SluiceCore

/// The outbox files that held passes wrote ahead of the pass that publishes their change, each with what it holds,
/// so that pass skips the ones still unchanged (`OutboxPublisher.publishPending(holdingMoving:)`).
///
/// Kept in memory only: after a crash the next pass writes them again, which is where it would have begun anyway.
/// Valid while no other process publishes: `publishedVersion` is the published version it was kept under, and a
/// different one means another publisher may have written any of these files since, so everything is forgotten.
struct WrittenAhead {
    private var contents: [String: [UInt8]] = [:]
    private var bytes = 0
    /// Bytes kept at most (paths and contents); beyond them nothing more is written ahead.
    let capacity: Int
    private(set) var publishedVersion: Int64 = -1

    init(capacity: Int) { self.capacity = capacity }

    /// Bytes that may still be kept.
    var room: Int { capacity - bytes }

    /// Forgets everything, and keeps what follows under `publishedVersion`.
    mutating func reset(publishedVersion: Int64) {
        removeAll()
        self.publishedVersion = publishedVersion
    }

    /// Forgets everything; what follows is kept under the same published version.
    mutating func removeAll() {
        if !contents.isEmpty { contents = [:] }
        bytes = 0
    }

    /// This process moved the published version on: what it keeps is still what those files hold.
    mutating func published(upTo version: Int64) { publishedVersion = version }

    /// Whether `output` would write what its file already holds from a pass ahead.
    func holds(_ output: OutboxPublisher.Output) -> Bool {
        guard let (key, content) = Self.entry(output) else { return false }
        return contents[key] == content
    }

    /// Notes what `output`, just carried out ahead, left in its file.
    mutating func record(_ output: OutboxPublisher.Output) {
        forget(output)
        guard let (key, content) = Self.entry(output) else { return }
        contents[key] = content
        bytes += key.utf8.count + content.count
    }

    /// Forgets the file `output` wrote or removed (a pass that publishes wrote it, with whatever it holds now).
    mutating func forget(_ output: OutboxPublisher.Output) {
        guard !contents.isEmpty else { return }
        let key = switch output {
        case let .write(folder, name, _), let .link(_, folder, name), let .remove(folder, name): folder.path + "/" + name
        }
        if let old = contents.removeValue(forKey: key) { bytes -= key.utf8.count + old.count }
    }

    /// What keeping `output` costs.
    static func size(of output: OutboxPublisher.Output) -> Int {
        entry(output).map { $0.0.utf8.count + $0.1.count } ?? 0
    }

    /// The file an output writes and what it leaves there (for a link, the stored bytes' path).
    private static func entry(_ output: OutboxPublisher.Output) -> (String, [UInt8])? {
        switch output {
        case let .write(folder, name, bytes): (folder.path + "/" + name, bytes)
        case let .link(from, folder, name): (folder.path + "/" + name, Array(from.utf8))
        case .remove: nil
        }
    }
}
