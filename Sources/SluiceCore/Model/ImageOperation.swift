/// What an image task does (seeds 001, 003): its algorithm's steps with validated parameters, the output format and
/// quality, and whether the JPEG orientation tag is applied first.
///
/// One decoder, `decode(algorithm:params:)`, serves both ends: the request is validated with it when dropped (a 422
/// lists every bad parameter), the task stores the parameters as given, and the worker decodes them again with it.
public struct ImageOperation: Sendable, Equatable {
    public var algorithm: String
    public var steps: [Step]
    /// Nil: the source's format.
    public var format: ImageFormat?
    /// 1…100, for JPEG, WebP and AVIF; nil: the encoder's default (85, 80, 60).
    public var quality: Int?
    /// Apply a JPEG's EXIF orientation before the first step (default on).
    public var autoOrient: Bool

    public init(algorithm: String, steps: [Step], format: ImageFormat? = nil, quality: Int? = nil, autoOrient: Bool = true) {
        self.algorithm = algorithm; self.steps = steps; self.format = format; self.quality = quality; self.autoOrient = autoOrient
    }

    public enum Step: Sendable, Equatable {
        /// At least one of `width` and `height`; the other follows the aspect ratio.
        case resize(width: Int?, height: Int?, fit: Fit, kernel: Kernel, background: RGBA)
        case crop(x: Int, y: Int, width: Int, height: Int)
        case flip(horizontal: Bool, vertical: Bool)
        /// Clockwise.
        case rotate(degrees: Double, background: RGBA)
        case grayscale
        case negate
        case brightness(Int)
        /// Positive means more contrast.
        case contrast(Int)
        case colorize(red: Int, green: Int, blue: Int, alpha: Int)
        case blur(sigma: Double)
        case sharpen(amount: Int)
        case pixelate(block: Int)
        case emboss
        case edgeDetect
        case smooth(weight: Double)
    }

    /// How `resize` fits the image to `width` × `height`.
    public enum Fit: String, Sendable, CaseIterable {
        /// Within the box, aspect kept (one side may be shorter).
        case inside
        /// Covering the box, aspect kept, the overflow cropped from the centre: exactly the box.
        case cover
        /// Stretched to exactly the box.
        case fill
        /// Within the box, aspect kept, padded with `background` to exactly the box.
        case contain
    }

    public enum Kernel: String, Sendable, CaseIterable { case nearest, bilinear, bicubic, lanczos3 }

    /// Algorithms and the parameters each takes (besides `format`, `quality` and `auto_orient`).
    public static let algorithms: [String: [String]] = [
        "resize": ["width", "height", "fit", "kernel", "background"], "crop": ["x", "y", "width", "height"],
        "flip": ["direction"], "rotate": ["degrees", "background"], "grayscale": [], "negate": [], "brightness": ["value"],
        "contrast": ["value"], "colorize": ["r", "g", "b", "a"], "blur": ["sigma"], "sharpen": ["amount"], "pixelate": ["block"],
        "emboss": [], "edge_detect": [], "smooth": ["weight"], "pipeline": ["steps"],
    ]
    public static let algorithmNames = algorithms.keys.sorted()
    /// Parameters every algorithm takes (a pipeline's at its top level only).
    static let outputParams = ["format", "quality", "auto_orient"]
    public static let maxSteps = 10
    /// Largest side `resize` makes.
    public static let maxResizeSide = 8192

    /// Validates `algorithm` and `params` (an object, or null / absent for none). Errors are keyed by field path
    /// (`algorithm`, `params.width`, `params.steps.2.algorithm`), in the order found.
    public static func decode(algorithm: JSONValue?, params: JSONValue?) -> Result<ImageOperation, ParamErrors> {
        var errors = ParamErrors()
        guard let algorithm else { errors.add("algorithm", "missing field: one of \(algorithmNames.joined(separator: ", "))"); return .failure(errors) }
        guard case let .string(name) = algorithm else { errors.add("algorithm", "expected string, got \(algorithm.typeName)"); return .failure(errors) }
        guard algorithms[name] != nil else {
            errors.add("algorithm", "unknown algorithm \"\(name)\"; expected one of \(algorithmNames.joined(separator: ", "))")
            return .failure(errors)
        }
        let p = Params(params, path: "params", errors: &errors)
        var operation = ImageOperation(algorithm: name, steps: [])
        if name == "pipeline" {
            p.allow(["steps"] + outputParams, &errors)
            operation.steps = p.steps(&errors)
        } else if let step = p.step(name, extra: outputParams, &errors) {
            operation.steps = [step]
        }
        operation.format = p.format(&errors)
        operation.quality = p.int("quality", 1...100, &errors)
        operation.autoOrient = p.bool("auto_orient", &errors) ?? true
        return errors.isEmpty ? .success(operation) : .failure(errors)
    }
}

/// An output format libgd writes.
public enum ImageFormat: String, Sendable, CaseIterable {
    case jpeg, png, webp, gif, avif

    public var mime: String { "image/\(rawValue)" }
    /// With its dot.
    public var fileExtension: String { self == .jpeg ? ".jpg" : "." + rawValue }

    /// The format of a sniffed type, when it is one the image stage reads (JPEG, PNG, GIF, WebP).
    public init?(mime: String) {
        switch mime {
        case "image/jpeg": self = .jpeg
        case "image/png": self = .png
        case "image/gif": self = .gif
        case "image/webp": self = .webp
        default: return nil
        }
    }
}

/// A colour with libgd's alpha: 0 opaque … 127 transparent.
public struct RGBA: Sendable, Equatable {
    public var red: Int, green: Int, blue: Int, alpha: Int
    public init(red: Int, green: Int, blue: Int, alpha: Int = 0) { self.red = red; self.green = green; self.blue = blue; self.alpha = alpha }
    public static let black = RGBA(red: 0, green: 0, blue: 0)
    public static let transparent = RGBA(red: 0, green: 0, blue: 0, alpha: 127)

    /// `#rrggbb`, `#rrggbbaa` (aa: ff opaque) or `transparent`.
    public init?(parsing text: String) {
        if text == "transparent" { self = .transparent; return }
        let hex = Array(text.utf8)
        guard hex.first == UInt8(ascii: "#"), hex.count == 7 || hex.count == 9,
              let value = UInt32(String(decoding: hex.dropFirst(), as: UTF8.self), radix: 16) else { return nil }
        let rgb = hex.count == 9 ? value >> 8 : value
        let opacity = hex.count == 9 ? Int(value & 0xFF) : 255
        self.init(red: Int(rgb >> 16 & 0xFF), green: Int(rgb >> 8 & 0xFF), blue: Int(rgb & 0xFF), alpha: 127 - opacity / 2)
    }
}

/// Field errors of an image job's parameters, by path, in the order found: linear in their number, and at most
/// `maxPaths` paths kept (params of a million unknown keys cost a million dictionary looks, and report a hundred).
public struct ParamErrors: Sendable, Equatable, Error {
    public private(set) var entries: [(path: String, messages: [String])] = []
    private var indexOfPath: [String: Int] = [:]
    /// Errors past `maxPaths`, counted in a last entry.
    private var unreported = 0
    public static let maxPaths = 100
    public init() {}
    public var isEmpty: Bool { entries.isEmpty }

    public mutating func add(_ path: String, _ message: String) {
        if let i = indexOfPath[path] { entries[i].messages.append(message); return }
        guard entries.count < Self.maxPaths else {
            unreported += 1
            let note = "and \(unreported) more parameter error\(unreported == 1 ? "" : "s") not listed"
            if entries.last?.path == "params", entries.count > Self.maxPaths { entries[entries.count - 1].messages = [note] }
            else { entries.append(("params", [note])) }
            return
        }
        indexOfPath[path] = entries.count
        entries.append((path, [message]))
    }

    public static func == (a: ParamErrors, b: ParamErrors) -> Bool {
        a.entries.map(\.path) == b.entries.map(\.path) && a.entries.map(\.messages) == b.entries.map(\.messages)
    }

    /// One line: `params.width: must be from 1 to 8192; …`.
    public var summary: String { entries.map { "\($0.path): \($0.messages.joined(separator: ", "))" }.joined(separator: "; ") }
}

/// Reads one params object (or null): each accessor checks a member's type and range.
private struct Params {
    let members: [(key: String, value: JSONValue)]
    let path: String

    init(_ value: JSONValue?, path: String, errors: inout ParamErrors) {
        self.path = path
        switch value {
        case nil, .null?: members = []
        case let .object(m)?: members = m
        case let other?: members = []; errors.add(path, "expected object or null, got \(other.typeName)")
        }
    }

    func member(_ key: String) -> JSONValue? {
        guard let value = members.first(where: { $0.key == key })?.value else { return nil }
        if case .null = value { return nil }
        return value
    }

    func allow(_ keys: [String], _ errors: inout ParamErrors) {
        for m in members where !keys.contains(m.key) { errors.add("\(path).\(m.key)", "unknown parameter; this algorithm takes \(keys.isEmpty ? "none" : keys.joined(separator: ", "))") }
    }

    func int(_ key: String, _ range: ClosedRange<Int>, _ errors: inout ParamErrors, required: Bool = false) -> Int? {
        guard let value = member(key) else { if required { errors.add("\(path).\(key)", "missing parameter") }; return nil }
        guard case let .int(n) = value else { errors.add("\(path).\(key)", "expected integer, got \(value.typeName)"); return nil }
        guard range.contains(n) else { errors.add("\(path).\(key)", "must be from \(range.lowerBound) to \(range.upperBound), got \(n)"); return nil }
        return n
    }

    func number(_ key: String, _ range: ClosedRange<Double>, _ errors: inout ParamErrors, required: Bool = false) -> Double? {
        guard let value = member(key) else { if required { errors.add("\(path).\(key)", "missing parameter") }; return nil }
        let n: Double
        switch value {
        case let .int(i): n = Double(i)
        case let .double(d): n = d
        default: errors.add("\(path).\(key)", "expected number, got \(value.typeName)"); return nil
        }
        guard range.contains(n) else { errors.add("\(path).\(key)", "must be from \(range.lowerBound.clean) to \(range.upperBound.clean), got \(n.clean)"); return nil }
        return n
    }

    func bool(_ key: String, _ errors: inout ParamErrors) -> Bool? {
        guard let value = member(key) else { return nil }
        guard case let .bool(b) = value else { errors.add("\(path).\(key)", "expected boolean, got \(value.typeName)"); return nil }
        return b
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ errors: inout ParamErrors) -> T? where T.RawValue == String {
        guard let value = member(key) else { return nil }
        let names = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        guard case let .string(s) = value, let choice = T(rawValue: s) else {
            errors.add("\(path).\(key)", "must be one of \(names)"); return nil
        }
        return choice
    }

    func color(_ key: String, default fallback: RGBA, _ errors: inout ParamErrors) -> RGBA {
        guard let value = member(key) else { return fallback }
        guard case let .string(s) = value, let color = RGBA(parsing: s) else {
            errors.add("\(path).\(key)", "expected a colour: \"#rrggbb\", \"#rrggbbaa\" or \"transparent\""); return fallback
        }
        return color
    }

    func format(_ errors: inout ParamErrors) -> ImageFormat? { choice("format", &errors) }

    /// One algorithm's step, its parameters checked; `extra` are the other keys allowed here.
    func step(_ name: String, extra: [String], _ errors: inout ParamErrors) -> ImageOperation.Step? {
        allow((ImageOperation.algorithms[name] ?? []) + extra, &errors)
        let before = errors.entries.count
        let step: ImageOperation.Step?
        switch name {
        case "resize":
            let side = 1...ImageOperation.maxResizeSide
            let width = int("width", side, &errors), height = int("height", side, &errors)
            if member("width") == nil && member("height") == nil { errors.add("\(path).width", "give width and/or height (1 to \(ImageOperation.maxResizeSide))") }
            let fit: ImageOperation.Fit = choice("fit", &errors) ?? .inside
            if fit != .inside && (width == nil || height == nil) && errors.entries.count == before {
                errors.add("\(path).fit", "\"\(fit.rawValue)\" needs both width and height")
            }
            step = .resize(width: width, height: height, fit: fit, kernel: choice("kernel", &errors) ?? .lanczos3,
                           background: color("background", default: .black, &errors))
        case "crop":
            let x = int("x", 0...(1 << 20), &errors, required: true), y = int("y", 0...(1 << 20), &errors, required: true)
            let w = int("width", 1...(1 << 20), &errors, required: true), h = int("height", 1...(1 << 20), &errors, required: true)
            step = x.flatMap { x in y.flatMap { y in w.flatMap { w in h.map { .crop(x: x, y: y, width: w, height: $0) } } } }
        case "flip":
            guard let value = member("direction") else { step = .flip(horizontal: true, vertical: false); break }
            switch value {
            case .string("horizontal"): step = .flip(horizontal: true, vertical: false)
            case .string("vertical"): step = .flip(horizontal: false, vertical: true)
            case .string("both"): step = .flip(horizontal: true, vertical: true)
            default: errors.add("\(path).direction", "must be one of \"horizontal\", \"vertical\", \"both\""); step = nil
            }
        case "rotate":
            step = number("degrees", -360...360, &errors, required: true).map { .rotate(degrees: $0, background: color("background", default: .black, &errors)) }
        case "grayscale": step = .grayscale
        case "negate": step = .negate
        case "brightness": step = int("value", -255...255, &errors, required: true).map { .brightness($0) }
        case "contrast": step = int("value", -100...100, &errors, required: true).map { .contrast($0) }
        case "colorize":
            let r = int("r", -255...255, &errors) ?? 0, g = int("g", -255...255, &errors) ?? 0, b = int("b", -255...255, &errors) ?? 0
            let a = int("a", -127...127, &errors) ?? 0
            if ["r", "g", "b", "a"].allSatisfy({ member($0) == nil }) { errors.add(path, "give at least one of r, g, b (-255 to 255) and a (-127 to 127)") }
            step = .colorize(red: r, green: g, blue: b, alpha: a)
        case "blur": step = .blur(sigma: number("sigma", 0.1...20, &errors) ?? 2)
        case "sharpen": step = .sharpen(amount: int("amount", 1...100, &errors) ?? 50)
        case "pixelate": step = int("block", 2...1024, &errors, required: true).map { .pixelate(block: $0) }
        case "emboss": step = .emboss
        case "edge_detect": step = .edgeDetect
        case "smooth": step = .smooth(weight: number("weight", 1...100, &errors) ?? 10)
        default: errors.add("\(path)", "unknown algorithm \"\(name)\""); step = nil
        }
        return errors.entries.count == before ? step : nil
    }

    /// A pipeline's `steps`: 1 to 10 objects `{"algorithm", "params"}`, none of them a pipeline.
    func steps(_ errors: inout ParamErrors) -> [ImageOperation.Step] {
        guard let value = member("steps") else { errors.add("\(path).steps", "missing parameter: a list of 1 to \(ImageOperation.maxSteps) {\"algorithm\", \"params\"}"); return [] }
        guard case let .array(items) = value else { errors.add("\(path).steps", "expected array, got \(value.typeName)"); return [] }
        guard (1...ImageOperation.maxSteps).contains(items.count) else {
            errors.add("\(path).steps", "must hold 1 to \(ImageOperation.maxSteps) steps, got \(items.count)"); return []
        }
        var steps: [ImageOperation.Step] = []
        for (i, item) in items.enumerated() {
            let at = "\(path).steps.\(i)"
            guard case let .object(members) = item else { errors.add(at, "expected object {\"algorithm\", \"params\"}, got \(item.typeName)"); continue }
            for m in members where m.key != "algorithm" && m.key != "params" { errors.add("\(at).\(m.key)", "unknown field; a step has algorithm and params") }
            guard case let .string(name)? = item["algorithm"] else { errors.add("\(at).algorithm", "missing or not a string"); continue }
            guard name != "pipeline", ImageOperation.algorithms[name] != nil else {
                errors.add("\(at).algorithm", name == "pipeline" ? "a pipeline cannot hold a pipeline" : "unknown algorithm \"\(name)\"; expected one of \(ImageOperation.algorithmNames.filter { $0 != "pipeline" }.joined(separator: ", "))")
                continue
            }
            let inner = Params(item["params"], path: "\(at).params", errors: &errors)
            if let step = inner.step(name, extra: [], &errors) { steps.append(step) }
        }
        return steps
    }
}

private extension Double {
    /// `2` rather than `2.0`.
    var clean: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
