#if canImport(Glibc)
import Glibc
#endif
public import SluiceCore

/// An image task's work on one file: read the bytes, decode them within the limits, apply the EXIF orientation and
/// the operation's steps, encode the result.
public enum ImageProcessor {
    /// What a task made.
    public struct Output: Sendable, Equatable {
        public var bytes: [UInt8]
        public var format: ImageFormat
        public var width: Int
        public var height: Int
    }

    /// Processes the file at `path` (of type `mime`, by its bytes). Every failure is an `ImagingError` whose
    /// description is the task's reason.
    public static func process(path: String, mime: String, operation: ImageOperation, limits: Limits) throws(ImagingError) -> Output {
        guard let sourceFormat = ImageFormat(mime: mime) else { throw .unsupportedType(mime) }
        let fd = retryingEINTR { open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw .operationFailed("cannot open the source file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .operationFailed("cannot read the source file: \(String(cString: strerror(errno)))") }
        let size = Int(status.st_size)
        guard size > 0 else { throw .undecodable(format: sourceFormat.name, detail: "the file is empty") }
        guard size <= limits.maxImageBytes else { throw .tooLarge(bytes: size, limit: limits.maxImageBytes) }
        let orientation = operation.autoOrient && sourceFormat == .jpeg ? ExifOrientation.read(fd: fd, size: Int64(size)) ?? 1 : 1
        var bytes = [UInt8](repeating: 0, count: size)
        let read = bytes.withUnsafeMutableBytes { buffer in
            var done = 0
            while done < size {
                let n = retryingEINTR { pread(fd, buffer.baseAddress! + done, size - done, off_t(done)) }
                if n <= 0 { break }
                done += n
            }
            return done
        }
        guard read == size else { throw .operationFailed("the source file changed while it was read") }
        return try process(bytes: bytes, format: sourceFormat, orientation: orientation, operation: operation, limits: limits)
    }

    /// Processes decoded-to-be `bytes` of `format`, upright after `orientation` (EXIF 1–8).
    public static func process(bytes: [UInt8], format sourceFormat: ImageFormat, orientation: Int, operation: ImageOperation,
                               limits: Limits) throws(ImagingError) -> Output {
        // A resize first lets a JPEG decode at the smallest DCT scale still at least the size it resizes to.
        var atLeast: (width: Int, height: Int)?
        if case let .resize(width, height, fit, _, _)? = operation.steps.first, let header = ImageHeader.read(bytes) {
            let turned = orientation >= 5
            let upright = turned ? (header.height, header.width) : (header.width, header.height)
            let size = GDImage.resizedSize(width: upright.0, height: upright.1, toWidth: width, toHeight: height, fit: fit)
            atLeast = turned ? (size.height, size.width) : size
        }
        var image = try GDImage.decode(bytes, mime: sourceFormat.mime, limits: limits, atLeast: atLeast)
        image = try image.oriented(exif: orientation)
        // A step may grow the image (a rotation's bounding box, an enlarging resize): to twice the input's limits at
        // most, checked before anything is allocated.
        for step in operation.steps { try image.apply(step, limit: 2 * limits.maxImagePixels, sideLimit: 2 * limits.maxImageSide) }
        let format = operation.format ?? sourceFormat
        return Output(bytes: try image.encoded(as: format, quality: operation.quality), format: format, width: image.width, height: image.height)
    }
}
