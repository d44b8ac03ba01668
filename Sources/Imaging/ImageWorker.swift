#if canImport(Glibc)
import Glibc
#endif
public import SluiceCore

/// The child process that does image tasks (`sluice image-worker`): one request per line on stdin, one answer per line
/// on stdout, until stdin ends. Decoding and libgd run here, not in the daemon: a crash, a runaway allocation or a task
/// past its time limit ends this process (the pool starts another), never the pipeline.
///
/// Request: `{"source": path, "mime": type, "output": path, "algorithm": name, "params": {…}}`.
/// Answer: `{"format", "width", "height", "size"}` with the result written to `output`, or `{"error": reason}` (with
/// `"transient": true` when the machine failed, not the image: the result could not be written).
public enum ImageWorker {
    public static func serve(limits: Limits, input: Int32 = 0, output: Int32 = 1) {
        var lines = LineReader(fd: input)
        while let line = lines.next() {
            var answer = JSONWriter(capacity: 256)
            answer.beginObject()
            do {
                let request = try Request(line)
                let result = try ImageProcessor.process(path: request.source, mime: request.mime, operation: request.operation, limits: limits)
                try write(result.bytes, to: request.output)
                answer.key("format"); answer.string(result.format.rawValue)
                answer.key("width"); answer.int(result.width)
                answer.key("height"); answer.int(result.height)
                answer.key("size"); answer.int(result.bytes.count)
            } catch {
                answer.key("error"); answer.string("\(error)")
                if case .storage = error { answer.key("transient"); answer.bool(true) }
            }
            answer.endObject()
            var bytes = answer.bytes
            bytes.append(0x0A)
            guard writeAll(output, bytes) else { return } // the daemon is gone
        }
    }

    /// One request, parsed; the operation decoded by the rule the request was validated with.
    struct Request {
        var source: String, mime: String, output: String
        var operation: ImageOperation

        init(_ line: [UInt8]) throws(ImagingError) {
            guard let json = try? JSONParser.parse(line), case let .string(source)? = json["source"], case let .string(mime)? = json["mime"],
                  case let .string(output)? = json["output"] else { throw .operationFailed("the image worker got a malformed request") }
            switch ImageOperation.decode(algorithm: json["algorithm"], params: json["params"]) {
            case let .success(operation): self.operation = operation
            case let .failure(errors): throw .operationFailed("invalid parameters: \(errors.summary)")
            }
            self.source = source; self.mime = mime; self.output = output
        }
    }

    private static func write(_ bytes: [UInt8], to path: String) throws(ImagingError) {
        let fd = retryingEINTR { open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        guard fd >= 0 else { throw .storage("cannot create the result file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard writeAll(fd, bytes) else { throw .storage("cannot write the result file: \(String(cString: strerror(errno)))") }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = retryingEINTR { Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done) }
                if n <= 0 { return false }
                done += n
            }
            return true
        }
    }
}

/// Reads newline-terminated lines from a descriptor.
struct LineReader {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0

    init(fd: Int32) { self.fd = fd }

    /// The next line without its newline; nil at the end of input.
    mutating func next() -> [UInt8]? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                return line
            }
            if start > 0 { buffer.removeFirst(start); start = 0 }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { buffer in retryingEINTR { read(fd, buffer.baseAddress, buffer.count) } }
            guard n > 0 else { return nil }
            buffer.append(contentsOf: chunk[..<n])
        }
    }
}
