#if canImport(Glibc)
import Glibc
#endif

/// A failed system call, with the errno and what it was doing.
public struct SystemCallError: Error, Sendable, CustomStringConvertible {
    public let errno: Int32
    public let operation: String
    public let path: String

    public init(errno: Int32, _ operation: String, _ path: String) {
        self.errno = errno; self.operation = operation; self.path = path
    }

    public var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
}

/// Runs a syscall again while it fails with EINTR; returns its result (negative on failure, errno set).
@inline(__always)
public func retryingEINTR<T: SignedInteger>(_ call: () -> T) -> T {
    while true {
        let result = call()
        if result < 0 && errno == EINTR { continue }
        return result
    }
}
