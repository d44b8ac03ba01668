#if canImport(Glibc)
import Glibc
#endif
public import SluiceCore

/// A download's bytes before they have a name: an unnamed `O_TMPFILE` in the download folder, or a
/// `<key>.part` file where the file system has no unnamed files. Dropped unplaced, it vanishes.
public final class DownloadedFile: @unchecked Sendable { // written by the download thread only, then handed over whole.
    let fd: Int32
    /// The named stand-in's path; nil for an unnamed file.
    let partPath: String?
    /// The first bytes, for sniffing the type without reading the file again.
    public private(set) var header: [UInt8] = []
    public private(set) var size: Int64 = 0
    private var placed = false

    private static let headerLength = 512

    /// Opens an unnamed file in `folder`, or `folder/<key>.part` where that is not supported.
    init(folder: String, key: String) throws(DownloadFileError) {
        var fd = UnnamedFile.open(in: AT_FDCWD, folder, readable: true)
        var part: String?
        if fd < 0 && UnnamedFile.isUnsupported(errno) {
            part = folder + "/" + key + ".part"
            fd = open(part!, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { throw DownloadFileError(message: "could not create a file in \(folder): \(String(cString: strerror(errno)))") }
        self.fd = fd
        partPath = part
    }

    deinit {
        close(fd)
        if let partPath, !placed { unlink(partPath) }
    }

    /// Appends a chunk; false (errno set) when the disk refused it.
    func append(_ data: UnsafeRawPointer, _ count: Int) -> Bool {
        if header.count < Self.headerLength {
            let take = min(count, Self.headerLength - header.count)
            header.append(contentsOf: UnsafeRawBufferPointer(start: data, count: take))
        }
        var written = 0
        while written < count {
            let n = write(fd, data + written, count - written)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            written += n
        }
        size += Int64(count)
        return true
    }

    /// What the bytes, sniffed as the image type `mime`, say of their image: its size, and whether they stop before
    /// its end (read back from the file where the first bytes kept do not tell).
    public func inspectImage(mime: String) -> ImageInspection {
        ImageInspection.inspect(mime: mime, first: header, size: size, fd: fd)
    }

    /// Gives the bytes their name at `path`, atomically; replaces a stale file left there by an earlier attempt.
    public func place(atPath path: String) throws(DownloadFileError) {
        func attempt() -> Bool {
            if let partPath { return rename(partPath, path) == 0 }
            return UnnamedFile.link(fd, in: AT_FDCWD, as: path)
        }
        if !attempt() {
            guard errno == EEXIST, unlink(path) == 0, attempt() else {
                throw DownloadFileError(message: "could not store the download as \(path): \(String(cString: strerror(errno)))")
            }
        }
        placed = true
    }
}

public struct DownloadFileError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
