import Foundation

/// Runs a blocking loop (system calls, SQLite, condition waits) on a thread of its own and awaits its end: how a
/// lifecycle `Service` drives work that must not block the concurrency pool.
public enum ServiceThread {
    /// Starts `body` on a new thread named `name`; returns when it returns, throws what it throws.
    public static func run(name: String, _ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                do {
                    try body()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = name
            thread.start()
        }
    }
}
