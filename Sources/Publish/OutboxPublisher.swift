#if canImport(Glibc)
import Glibc
#endif
public import SluiceCore

/// Writes the outbox from the catalogue's dirty marks: each mark rewrites one file, atomically.
///
/// Marks are committed with the changes that cause them, so a crash loses no publication; one
/// process publishes at a time (flock on `.sluice/publish.lock`), so an older state never overwrites a newer one.
public final class OutboxPublisher: @unchecked Sendable { // used from one thread at a time; the flock serialises processes.
    private let catalogue: any CatalogueStore
    private let outbox: OutboxFolders
    private let lockFD: Int32
    private var counter = 0
    private let tag = "\(getpid())"

    public init(root: String, catalogue: any CatalogueStore) throws {
        self.catalogue = catalogue
        outbox = try OutboxFolders(root: root)
        lockFD = open(root + "/.sluice/publish.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lockFD >= 0 else { throw SystemCallError(errno: errno, "open", root + "/.sluice/publish.lock") }
    }

    deinit { close(lockFD) }

    /// Removes temporary files that killed publishers left in the outbox.
    public func removeStaleTemporaries() {
        outbox.files.removeStaleTemporaries()
        outbox.receipts.removeStaleTemporaries()
    }

    /// Publishes everything marked dirty; returns how many outbox files were written or removed.
    @discardableResult
    public func publishPending(batch: Int = 2048) throws -> Int {
        while flock(lockFD, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(lockFD, LOCK_UN) }
        var total = 0
        while true {
            let (marks, outputs) = try catalogue.read { reading -> ([DirtyMark], [Output]) in
                let marks = try reading.dirtyMarks(limit: batch)
                return (marks, try marks.map { try render($0.key, reading) })
            }
            if marks.isEmpty { return total }
            for output in outputs { try write(output) }
            try catalogue.write { try $0.clearDirty(marks) }
            total += outputs.count
            if marks.count < batch { return total }
        }
    }

    enum Output {
        case write(folder: Directory, name: String, bytes: [UInt8])
        case remove(folder: Directory, name: String)
    }

    private func render(_ key: OutboxKey, _ reading: any CatalogueReading) throws -> Output {
        switch key {
        case let .file(id):
            guard let file = try reading.file(id: id) else { return .remove(folder: outbox.files, name: id + ".json") }
            return .write(folder: outbox.files, name: id + ".json", bytes: file.json)
        case let .filesPage(page):
            let files = try reading.files(seqFrom: page * filesPerPage, to: (page + 1) * filesPerPage)
            var json = JSONWriter(capacity: 400 * files.count + 64)
            json.beginObject()
            json.key("page"); json.int(Int(page))
            json.key("per_page"); json.int(Int(filesPerPage))
            json.key("files"); json.beginArray()
            for file in files { file.write(to: &json) }
            json.endArray()
            json.endObject()
            return .write(folder: outbox.files, name: FilesListing.pageName(page), bytes: json.bytes)
        case .filesIndex:
            let count = try reading.fileCount()
            let last = try reading.lastFileSeq() / filesPerPage
            var json = JSONWriter()
            json.beginObject()
            json.key("count"); json.int(count)
            json.key("per_page"); json.int(Int(filesPerPage))
            json.key("first_page"); json.string(FilesListing.pageName(0))
            json.key("last_page"); json.string(FilesListing.pageName(last))
            json.key("pages"); json.int(Int(last) + 1)
            json.endObject()
            return .write(folder: outbox.files, name: FilesListing.indexName, bytes: json.bytes)
        case let .receipt(id):
            guard let request = try reading.request(id: id) else { return .remove(folder: outbox.receipts, name: id + ".json") }
            return .write(folder: outbox.receipts, name: request.receiptName, bytes: request.receipt + [0x0A])
        }
    }

    private func write(_ output: Output) throws {
        switch output {
        case let .write(folder, name, bytes):
            counter += 1
            try folder.writeAtomically(name, bytes, tempTag: "\(tag)-\(counter)")
        case let .remove(folder, name):
            if unlinkat(folder.fd, name, 0) != 0 && errno != ENOENT {
                throw SystemCallError(errno: errno, "unlink", folder.path + "/" + name)
            }
        }
    }
}

/// Names of the paged listing under `outbox/files/`.
public enum FilesListing {
    /// `page-<n>.json`: the files with `n*100 <= seq < (n+1)*100`, in listing order.
    public static func pageName(_ page: Int64) -> String { "page-\(page).json" }
    /// `index.json`: count, page size, first and last page.
    public static let indexName = "index.json"
}

