public import SluiceCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The catalogue as the read-only reader sees it: the SQLite file opened read-only once it exists (the first writer
/// creates it), and an empty catalogue until then. It never creates, converts or migrates anything.
public final class ReadOnlyCatalogue: CatalogueStore {
    private let path: String
    private let opened = Mutex<SQLiteCatalogue?>(nil)

    public init(path: String) { self.path = path }

    public func read<T>(_ body: (any CatalogueReading) throws -> T) throws -> T {
        guard let catalogue = try open() else { return try MemoryCatalogue().read(body) }
        return try catalogue.read(body)
    }

    public func currentVersion() throws -> Int64 { try open()?.currentVersion() ?? 0 }

    public func write<T>(_ body: (any CatalogueWriting) throws -> T) throws -> T {
        throw CatalogueError.storage(code: 8, message: "the reader opens the catalogue read-only") // SQLITE_READONLY
    }

    public func performIdleMaintenance() {}

    /// The open catalogue, opening it when its file has appeared; nil while there is none.
    private func open() throws -> SQLiteCatalogue? {
        try opened.withLock { opened in
            if let opened { return opened }
            guard access(path, F_OK) == 0 else { return nil }
            opened = try SQLiteCatalogue(path: path, readOnly: true)
            return opened
        }
    }
}
