/// A pet (seed 004): a dog or a cat, with its photos.
public struct PetRecord: Sendable, Equatable {
    public enum Species: String, Sendable, CaseIterable { case dog, cat }

    public var id: String
    /// Listing order; assigned by the catalogue on insert and never reused.
    public var seq: Int64
    public var name: String
    public var age: Int
    public var type: Species
    public var createdAt: Timestamp
    /// Its photos' ids, in the order they were attached: each is the id of a ready File whose bytes are a photo.
    /// A photo still downloading is not among them.
    public var photos: [String]

    public init(id: String, seq: Int64 = 0, name: String, age: Int, type: Species, createdAt: Timestamp, photos: [String] = []) {
        self.id = id; self.seq = seq; self.name = name; self.age = age; self.type = type; self.createdAt = createdAt
        self.photos = photos
    }

    /// The published object (SPEC §5): `{"id", "name", "age", "type", "photos": [{"id", "url"}], "created_at"}`.
    public func write(to json: inout JSONWriter, baseURL: String) {
        json.beginObject()
        writeFields(to: &json)
        json.key("photos"); json.beginArray()
        for photo in photos {
            json.beginObject()
            json.key("id"); json.string(photo)
            json.key("url"); json.string(PhotoURL.make(base: baseURL, photo: photo))
            json.endObject()
        }
        json.endArray()
        json.key("created_at"); json.timestamp(createdAt)
        json.endObject()
    }

    public func json(baseURL: String) -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + 96 * photos.count)
        write(to: &writer, baseURL: baseURL)
        return writer.bytes
    }

    /// Seed 004's export form: the same, with `photos` as a list of URLs.
    public func writeExport(to json: inout JSONWriter, baseURL: String) {
        json.beginObject()
        writeFields(to: &json)
        json.key("photos"); json.beginArray()
        for photo in photos { json.string(PhotoURL.make(base: baseURL, photo: photo)) }
        json.endArray()
        json.key("created_at"); json.timestamp(createdAt)
        json.endObject()
    }

    private func writeFields(to json: inout JSONWriter) {
        json.key("id"); json.string(id)
        json.key("name"); json.string(name)
        json.key("age"); json.int(age)
        json.key("type"); json.string(type.rawValue)
    }
}

/// Where the reader serves a photo: the bytes of the File it is (`GET /file/<id>/download`), under `--base-url`.
public enum PhotoURL {
    /// The reader's address when none is given (`sluice up`'s default).
    public static let defaultBase = "http://127.0.0.1:8000"

    public static func make(base: String, photo: String) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/file/" + photo + "/download"
    }
}
