#if canImport(Glibc)
import Glibc
#endif
public import SystemPackage

/// A failed system call: its `Errno`, and what it was doing to which path.
public struct SystemCallError: Error, Sendable, CustomStringConvertible {
    public let errno: Errno
    public let operation: String
    public let path: String

    public init(_ errno: Errno, _ operation: String, _ path: String) {
        self.errno = errno; self.operation = operation; self.path = path
    }

    /// The calling thread's current `errno`.
    public static func current(_ operation: String, _ path: String) -> SystemCallError {
        SystemCallError(Errno(rawValue: Glibc.errno), operation, path)
    }

    public var description: String { "\(operation) \(path): \(errno)" }
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
