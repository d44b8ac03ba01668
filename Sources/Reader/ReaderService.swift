public import ServiceLifecycle
import Hummingbird
import NIOCore
import Synchronization

/// The reader as a lifecycle service whose stop lets the answers under way finish.
///
/// Hummingbird's `Application` winds down by cancelling its own service group, and with it every connection: a
/// download under way at SIGTERM was cut. Here the application runs where that graceful shutdown does not reach it
/// (a detached task); on graceful shutdown this service closes the listening socket, waits until no request is in
/// flight (at most `drainTimeout`), then cancels the application.
public final class ReaderService: Service, Sendable {
    /// Longest a stop waits for answers under way.
    public static let drainTimeout: Duration = .seconds(30)

    private let run: @Sendable () async throws -> Void
    private let inFlight: InFlightRequests
    private let listener: ListeningChannel

    init(run: @escaping @Sendable () async throws -> Void, inFlight: InFlightRequests, listener: ListeningChannel) {
        self.run = run
        self.inFlight = inFlight
        self.listener = listener
    }

    public func run() async throws {
        let application = Task.detached(operation: run)
        let stopping = Atomic(false)
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                do { try await application.value } catch where stopping.load(ordering: .relaxed) {
                    // Ended by the stop below: its server finishing "unexpectedly", or cancelled. A clean end.
                }
            } onCancel: {
                application.cancel()
            }
        } onGracefulShutdown: { [inFlight, listener] in
            stopping.store(true, ordering: .relaxed)
            inFlight.stop()
            Task.detached {
                _ = try? await listener.channel?.close()
                let deadline = ContinuousClock.now + Self.drainTimeout
                while inFlight.count > 0 && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
                application.cancel()
            }
        }
    }
}

/// How many answers are under way: counted by `AnswerCounter` from a request's arrival until its answer's end has
/// been written (or its connection is gone), and whether the reader is stopping.
final class InFlightRequests: Sendable {
    private let value = Mutex(0)
    private let stopping = Atomic(false)
    var count: Int { value.withLock { $0 } }
    /// Once stopping, answers ask their clients to close their connections (`Connection: close`).
    var isStopping: Bool { stopping.load(ordering: .relaxed) }
    func stop() { stopping.store(true, ordering: .relaxed) }

    /// Counts one more until the returned token is released.
    func hold() -> Token { Token(self) }

    final class Token: Sendable {
        private let requests: InFlightRequests
        init(_ requests: InFlightRequests) { self.requests = requests; requests.value.withLock { $0 += 1 } }
        deinit { requests.value.withLock { $0 -= 1 } }
    }
}

/// The server's listening socket, once it listens.
final class ListeningChannel: Sendable {
    private let value = Mutex<(any Channel)?>(nil)
    var channel: (any Channel)? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
