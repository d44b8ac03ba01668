#if canImport(Glibc)
import Glibc
#endif
public import SluiceCore

/// Writes the outbox from what changed in the catalogue since the last published version.
///
/// Every change carries the version of the transaction that made it, so a crash loses no publication: the
/// next pass (in any process) starts from the published version. One process publishes at a time (flock on
/// `.sluice/publish.lock`) and reads one consistent snapshot per pass, so an older state never overwrites a newer one.
public final class OutboxPublisher: @unchecked Sendable { // used from one thread at a time; the flock serialises processes.
    private let catalogue: any CatalogueStore
    private let outbox: OutboxFolders
    private let lockFD: Int32
    private var counter = 0
    private let tag = "\(getpid())"

    public init(root: String, catalogue: any CatalogueStore) throws {
        self.catalogue = catalogue
        outbox = try OutboxFolders(root: root)
        let lockPath = root + "/" + RootLayout.publishLockFile
        lockFD = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lockFD >= 0 else { throw SystemCallError.current("open", lockPath) }
    }

    deinit { close(lockFD) }

    /// Removes temporary files that killed publishers left in the outbox.
    public func removeStaleTemporaries() {
        outbox.files.removeStaleTemporaries()
        outbox.receipts.removeStaleTemporaries()
    }

    /// What a call of `publishPending` did.
    public struct Report: Sendable, Equatable {
        /// Outbox files written or removed.
        public var outputs = 0
        /// Committed write transactions it covered.
        public var versions: Int64 = 0
    }

    /// Publishes every committed change. `versionsPerPass` bounds how many write transactions one pass reads (and so
    /// its memory).
    @discardableResult
    public func publishPending(versionsPerPass: Int64 = 16) throws -> Report {
        while flock(lockFD, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(lockFD, LOCK_UN) }
        var report = Report()
        while true {
            let pass = try catalogue.read { reading -> (from: Int64, upTo: Int64, outputs: [Output])? in
                let published = try reading.publishedVersion()
                let current = try reading.currentVersion()
                guard current > published else { return nil }
                let upTo = min(current, published + versionsPerPass)
                return (published, upTo, try render(after: published, upTo: upTo, reading))
            }
            guard let pass else { return report }
            for output in pass.outputs { try write(output) }
            try catalogue.write { try $0.markPublished(upTo: pass.upTo) }
            report.outputs += pass.outputs.count
            report.versions += pass.upTo - pass.from
        }
    }

    enum Output {
        case write(folder: Directory, name: String, bytes: [UInt8])
        case remove(folder: Directory, name: String)
    }

    /// The outbox files that changes in `(after, upTo]` make stale, rendered from the snapshot.
    private func render(after: Int64, upTo: Int64, _ reading: any CatalogueReading) throws -> [Output] {
        var outputs: [Output] = []
        var pages = Set<Int64>()
        let changed = try reading.filesChanged(after: after, upTo: upTo)
        for file in changed {
            outputs.append(.write(folder: outbox.files, name: file.id + ".json", bytes: file.json))
            pages.insert(file.page)
        }
        let deleted = try reading.filesDeleted(after: after, upTo: upTo)
        for file in deleted {
            outputs.append(.remove(folder: outbox.files, name: file.id + ".json"))
            pages.insert(file.page)
        }
        // Receipts right after the objects they name, before the listing: what a dropper waits for comes first.
        for request in try reading.requestsCommitted(after: after, upTo: upTo) {
            outputs.append(.write(folder: outbox.receipts, name: request.receiptName, bytes: request.receipt + [0x0A]))
        }
        for page in pages.sorted() { outputs.append(try renderPage(page, reading)) }
        if !pages.isEmpty { outputs.append(try renderIndex(reading)) }
        return outputs
    }

    private func renderPage(_ page: Int64, _ reading: any CatalogueReading) throws -> Output {
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
    }

    private func renderIndex(_ reading: any CatalogueReading) throws -> Output {
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
    }

    private func write(_ output: Output) throws {
        switch output {
        case let .write(folder, name, bytes):
            counter += 1
            try folder.writeAtomically(name, bytes, tempTag: "\(tag)-\(counter)")
        case let .remove(folder, name):
            if unlinkat(folder.fd, name, 0) != 0 && errno != ENOENT {
                throw SystemCallError.current("unlink", folder.path + "/" + name)
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

