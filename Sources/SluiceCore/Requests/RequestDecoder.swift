/// Turns a parsed request document into validated requests, one per element of a batch.
public struct RequestDecoder: Sendable {
    public var limits: Limits

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// The operations Sluice knows, for error messages.
    public static let knownOps = ["download", "file.update", "file.delete", "pet.create", "pet.photo", "pets.delete", "image.job", "task.restart"]

    /// A document is one object or a batch (array) of objects; each element succeeds or fails alone.
    public func decodeDocument(_ document: JSONValue) -> Result<[Result<Request, RequestFailure>], RequestFailure> {
        switch document {
        case .object:
            let decoded = [decode(document)]
            return perFileFailure(decoded).map { .failure($0) } ?? .success(decoded)
        case let .array(elements):
            guard !elements.isEmpty else {
                return .failure(RequestFailure(status: 422, description: "An empty batch: a request file's array must hold at least one request object.", data: document, errors: [("", ["empty batch"])]))
            }
            guard elements.count <= limits.maxBatch else {
                return .failure(RequestFailure(status: 413, description: "A batch of \(elements.count) requests is over the limit of \(limits.maxBatch).", data: .null, errors: [("", ["at most \(limits.maxBatch) requests in one batch"])]))
            }
            let decoded = elements.map(decode)
            return perFileFailure(decoded).map { .failure($0) } ?? .success(decoded)
        default:
            return .failure(RequestFailure(status: 422, description: "A request file must hold a JSON object or an array of objects, not \(article(document.typeName)) \(document.typeName).", data: document, errors: [("", ["expected object or array, got \(document.typeName)"])]))
        }
    }

    /// What one request file may ask for in all, across a batch: its commit, its receipt and its publication stay
    /// short, and the drops behind it do not wait. Nil when within.
    private func perFileFailure(_ decoded: [Result<Request, RequestFailure>]) -> RequestFailure? {
        var urls = 0, ids = 0, tasks = 0
        for case let .success(request) in decoded {
            switch request {
            case let .download(list): urls += list.count
            case .petPhoto(_, .url): urls += 1
            case let .petsDelete(list): ids += list.count
            case let .imageJob(files, _, _): tasks += files.count
            default: break
            }
        }
        if urls > limits.maxURLsPerFile {
            return RequestFailure(status: 413, description: "The request file asks for \(urls) downloads in all; at most \(limits.maxURLsPerFile) are allowed in one request file (--max-urls-per-file). Nothing of it was applied: split it into several files.", data: .null, errors: [("", ["at most \(limits.maxURLsPerFile) URLs in one request file"])])
        }
        if ids > limits.maxDeleteIDsPerFile {
            return RequestFailure(status: 413, description: "The request file names \(ids) pet ids to delete in all; at most \(limits.maxDeleteIDsPerFile) are allowed in one request file. Nothing of it was applied: split it into several files.", data: .null, errors: [("", ["at most \(limits.maxDeleteIDsPerFile) ids to delete in one request file"])])
        }
        if tasks > limits.maxTasksPerFile {
            return RequestFailure(status: 413, description: "The request file asks for \(tasks) image tasks in all; at most \(limits.maxTasksPerFile) are allowed in one request file. Nothing of it was applied: split it into several files.", data: .null, errors: [("", ["at most \(limits.maxTasksPerFile) image tasks in one request file"])])
        }
        return nil
    }

    /// Validates one request object.
    public func decode(_ value: JSONValue) -> Result<Request, RequestFailure> {
        guard case let .object(members) = value else {
            return .failure(invalid(value, [("", ["expected object, got \(value.typeName)"])]))
        }
        guard let opValue = value["op"] else {
            return .failure(invalid(value, [("op", ["missing field: name the operation, one of \(Self.knownOps.joined(separator: ", "))"])]))
        }
        guard case let .string(op) = opValue else {
            return .failure(invalid(value, [("op", ["expected string, got \(opValue.typeName)"])]))
        }
        var v = Validation(members: members, limits: limits)
        let request: Request?
        switch op {
        case "download":
            v.allow(["op", "url_list"])
            let urls = v.urlList("url_list")
            request = urls.map { .download(urls: $0) }
        case "file.update":
            v.allow(["op", "id", "name", "comment"])
            let id = v.uuid("id")
            let name = v.optionalName("name")
            let comment = v.optionalComment("comment")
            if value["name"] == nil, value["comment"] == nil { v.error("", "give name and/or comment") }
            request = id.map { .fileUpdate(id: $0, name: name, comment: comment) }
        case "file.delete":
            v.allow(["op", "id"])
            request = v.uuid("id").map { .fileDelete(id: $0) }
        case "pet.create":
            v.allow(["op", "name", "age", "type"])
            let name = v.petName("name")
            let age = v.integer("age", in: 0...100)
            let type = v.species("type")
            if let name, let age, let type { request = .petCreate(name: name, age: age, type: type) } else { request = nil }
        case "pet.photo":
            v.allow(["op", "pet_id", "url", "file_id"])
            let pet = v.uuid("pet_id")
            var source: Request.PhotoSource?
            switch (value["url"], value["file_id"]) {
            case (nil, nil): v.error("url", "missing: give url (a photo to download) or file_id (a stored image)")
            case (.some, .some): v.error("file_id", "give url (a photo to download) or file_id (a stored image), not both")
            case (.some, nil): source = v.url("url").map { .url($0) }
            case (nil, .some): source = v.uuid("file_id").map { .file(id: $0) }
            }
            if let pet, let source { request = .petPhoto(petID: pet, source: source) } else { request = nil }
        case "pets.delete":
            v.allow(["op", "ids"])
            request = v.array("ids").map { .petsDelete(ids: $0) }
        case "image.job":
            v.allow(["op", "file_ids", "algorithm", "params"])
            let files = v.uuidList("file_ids", max: limits.maxTaskFiles)
            var operation: ImageOperation?
            switch ImageOperation.decode(algorithm: value["algorithm"], params: value["params"]) {
            case let .success(decoded): operation = decoded
            case let .failure(errors): for entry in errors.entries { for message in entry.messages { v.error(entry.path, message) } }
            }
            if let files, let operation { request = .imageJob(fileIDs: files, operation: operation, params: value["params"] ?? .null) } else { request = nil }
        case "task.restart":
            v.allow(["op", "id"])
            request = v.uuid("id").map { .taskRestart(id: $0) }
        default:
            return .failure(invalid(value, [("op", ["unknown operation \"\(op)\"; expected one of \(Self.knownOps.joined(separator: ", "))"])]))
        }
        if !v.errors.isEmpty || request == nil {
            return .failure(invalid(value, v.errors.isEmpty ? [("", ["invalid request"])] : v.report))
        }
        return .success(request!)
    }

    private func article(_ word: String) -> String { "aeiou".contains(word.first ?? "x") ? "an" : "a" }

    private func invalid(_ data: JSONValue, _ errors: [(path: String, messages: [String])]) -> RequestFailure {
        RequestFailure(status: 422, description: "The request is invalid; nothing of it was applied.", data: data, errors: errors)
    }
}

/// Collects field errors while reading one object's members; linear in their number, and at most `maxPaths` paths
/// reported (an object of a million unknown fields gets a receipt of a hundred, and a count of the rest).
private struct Validation {
    let members: [(key: String, value: JSONValue)]
    let limits: Limits
    private(set) var errors: [(path: String, messages: [String])] = []
    private var indexOfPath: [String: Int] = [:]
    private var unreported = 0
    static let maxPaths = 100

    init(members: [(key: String, value: JSONValue)], limits: Limits) {
        self.members = members
        self.limits = limits
    }

    mutating func error(_ path: String, _ message: String) {
        // Once the list is full, the rest are only counted (not even looked up: a million of them cost nothing).
        guard errors.count < Self.maxPaths else { unreported += 1; return }
        if let i = indexOfPath[path] { errors[i].messages.append(message); return }
        indexOfPath[path] = errors.count
        errors.append((path, [message]))
    }

    /// The errors, with a last entry counting those left out.
    var report: [(path: String, messages: [String])] {
        guard unreported > 0 else { return errors }
        var all = errors
        let note = "and \(unreported) more field error\(unreported == 1 ? "" : "s") not listed"
        if let i = indexOfPath[""] { all[i].messages.append(note) } else { all.append(("", [note])) }
        return all
    }

    func member(_ key: String) -> JSONValue? { members.first(where: { $0.key == key })?.value }

    /// Every member not named in `keys` (a handful: compared, not hashed) is an unknown field.
    mutating func allow(_ keys: [String]) {
        for m in members where !keys.contains(m.key) { error(m.key, "unknown field") }
    }

    mutating func uuid(_ key: String) -> String? {
        guard let value = member(key) else { error(key, "missing field"); return nil }
        guard case let .string(s) = value else { error(key, "expected string, got \(value.typeName)"); return nil }
        guard let id = Identifier.canonical(s) else { error(key, "not a valid UUID"); return nil }
        return id
    }

    mutating func optionalName(_ key: String) -> String? {
        guard let value = member(key) else { return nil }
        guard case let .string(s) = value else { error(key, "expected string, got \(value.typeName)"); return nil }
        for problem in FileFields.nameProblems(s, limits: limits) { error(key, problem) }
        return s
    }

    mutating func optionalComment(_ key: String) -> String? {
        guard let value = member(key) else { return nil }
        guard case let .string(s) = value else { error(key, "expected string, got \(value.typeName)"); return nil }
        for problem in FileFields.commentProblems(s, limits: limits) { error(key, problem) }
        return s
    }

    /// A pet's name: a string of 1 to 100 characters (and at most 400 bytes: a character may hold any number of
    /// combining marks), not only spaces, without control characters.
    mutating func petName(_ key: String) -> String? {
        guard let value = member(key) else { error(key, "missing field"); return nil }
        guard case let .string(s) = value else { error(key, "expected string, got \(value.typeName)"); return nil }
        if s.allSatisfy(\.isWhitespace) { error(key, s.isEmpty ? "must not be empty" : "must not be blank"); return nil }
        if s.utf8.count > 400 { error(key, "longer than 400 bytes (\(s.utf8.count))"); return nil }
        if s.count > 100 { error(key, "longer than 100 characters (\(s.count))"); return nil }
        if s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { error(key, "must not contain control characters"); return nil }
        return s
    }

    /// An integer (no fraction, no exponent, not a string) within `range`.
    mutating func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = member(key) else { error(key, "missing field"); return nil }
        guard case let .int(n) = value else { error(key, "expected integer, got \(value.typeName)"); return nil }
        guard range.contains(n) else { error(key, "must be from \(range.lowerBound) to \(range.upperBound), got \(n)"); return nil }
        return n
    }

    mutating func species(_ key: String) -> PetRecord.Species? {
        guard let value = member(key) else { error(key, "missing field"); return nil }
        guard case let .string(s) = value else { error(key, "expected string, got \(value.typeName)"); return nil }
        guard let species = PetRecord.Species(rawValue: s) else {
            error(key, "must be one of \(PetRecord.Species.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), got \"\(s)\"")
            return nil
        }
        return species
    }

    mutating func url(_ key: String) -> String? {
        guard let value = member(key) else { error(key, "missing field"); return nil }
        guard case let .string(s) = value else { error(key, "expected string, got \(value.typeName)"); return nil }
        if let problem = URLCheck.problem(s, maxBytes: limits.maxURLBytes) { error(key, problem); return nil }
        return s
    }

    mutating func array(_ key: String) -> [JSONValue]? {
        guard let value = member(key) else { error(key, "missing field"); return nil }
        guard case let .array(items) = value else { error(key, "expected array, got \(value.typeName)"); return nil }
        return items
    }

    /// A list of 1 to `max` UUIDs, each canonical.
    mutating func uuidList(_ key: String, max: Int) -> [String]? {
        guard let value = member(key) else { error(key, "missing field"); return nil }
        guard case let .array(items) = value else { error(key, "expected array of UUIDs, got \(value.typeName)"); return nil }
        if items.isEmpty { error(key, "must hold at least one file id"); return nil }
        if items.count > max { error(key, "holds \(items.count) ids; at most \(max) are allowed"); return nil }
        var ids: [String] = []
        for (i, item) in items.enumerated() {
            guard case let .string(s) = item else { error("\(key).\(i)", "expected string, got \(item.typeName)"); continue }
            guard let id = Identifier.canonical(s) else { error("\(key).\(i)", "not a valid UUID"); continue }
            ids.append(id)
        }
        return ids.count == items.count ? ids : nil
    }

    mutating func urlList(_ key: String) -> [String]? {
        guard let value = member(key) else { error(key, "missing field"); return nil }
        guard case let .array(items) = value else { error(key, "expected array of strings, got \(value.typeName)"); return nil }
        if items.isEmpty { error(key, "must hold at least one URL"); return nil }
        if items.count > limits.maxURLs { error(key, "holds \(items.count) URLs; at most \(limits.maxURLs) are allowed (--max-urls)"); return nil }
        var urls: [String] = []
        for (i, item) in items.enumerated() {
            let path = "\(key).\(i)"
            guard case let .string(s) = item else { error(path, "expected string, got \(item.typeName)"); continue }
            if let problem = URLCheck.problem(s, maxBytes: limits.maxURLBytes) { error(path, problem); continue }
            urls.append(s)
        }
        return urls.count == items.count ? urls : nil
    }
}

/// The cheap, strict URL check done before anything is queued; curl enforces the rest.
public enum URLCheck {
    /// Why `url` cannot be downloaded, or nil when it is an http(s) URL with a host.
    public static func problem(_ url: String, maxBytes: Int = 8192) -> String? {
        let bytes = Array(url.utf8)
        if bytes.isEmpty { return "must not be empty" }
        if bytes.count > maxBytes { return "longer than \(maxBytes) bytes" }
        if bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F }) { return "must not contain spaces or control characters" }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return "not an absolute URL: expected http:// or https://" }
        let scheme = String(decoding: bytes[..<colon], as: UTF8.self).lowercased()
        guard scheme == "http" || scheme == "https" else { return "scheme \"\(scheme)\" is not allowed: only http and https" }
        let rest = bytes[(colon + 1)...]
        guard rest.starts(with: Array("//".utf8)) else { return "not an absolute URL: expected \(scheme)://host/…" }
        let authority = rest.dropFirst(2).prefix(while: { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") })
        let host = authority.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false).last ?? []
        if host.isEmpty || host.first == UInt8(ascii: ":") { return "has no host" }
        return nil
    }
}
