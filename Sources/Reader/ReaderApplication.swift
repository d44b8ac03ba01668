public import Hummingbird
public import Logging
public import SluiceCore
import NIOCore
import HummingbirdCore

/// The read-only HTTP reader: seed routes over the catalogue, everything else as static files from `outbox/`.
public enum ReaderApplication {
    /// The reader as a service whose stop lets answers under way finish (`ReaderService`): what `up` and `serve` run.
    public static func service(configuration: ReaderConfiguration, catalogue: any CatalogueStore, logger: Logger) -> ReaderService {
        let inFlight = InFlightRequests()
        let listener = ListeningChannel()
        let app = make(configuration: configuration, catalogue: catalogue, logger: logger, inFlight: inFlight) { channel in
            listener.channel = channel
        }
        return ReaderService(run: { try await app.run() }, inFlight: inFlight, listener: listener)
    }

    public static func make(configuration: ReaderConfiguration, catalogue: any CatalogueStore, logger: Logger)
        -> some ApplicationProtocol
    {
        make(configuration: configuration, catalogue: catalogue, logger: logger, inFlight: InFlightRequests()) { _ in }
    }

    static let serverName = "sluice"

    static func make(configuration: ReaderConfiguration, catalogue: any CatalogueStore, logger: Logger, inFlight: InFlightRequests,
                     onServerRunning: @escaping @Sendable (any Channel) async -> Void) -> some ApplicationProtocol
    {
        let router = Router()
        let metrics = ReaderMetrics()
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: ReadOnlyMiddleware(apiKey: configuration.apiKey))
        let routes = ReaderRoutes(root: configuration.root, catalogue: catalogue, baseURL: configuration.baseURL, metrics: metrics,
                                  keyed: configuration.apiKey != nil)
        let answers = KeptFileAnswers(routes: routes, apiKey: configuration.apiKey, serverName: serverName, metrics: metrics, inFlight: inFlight)
        router.add(middleware: OutboxFallbackMiddleware(routes: routes, answers: answers))
        routes.register(on: router)
        // Bounded connections: an idle one is closed, so is one whose client has taken nothing of an answer for as
        // long (Hummingbird's idle timer sleeps while an answer is under way), and headers past the limits end the request.
        let idle = TimeAmount.milliseconds(Int64(configuration.idleTimeout * 1000))
        let http = HTTP1Channel.Configuration(
            additionalChannelHandlers: [AnswerCounter(inFlight: inFlight), StalledClientCloser(timeout: idle), KeptFileAnswerer.Installer(answers: answers)],
            idleTimeout: idle,
            httpDecoderConfiguration: .init(maxHeaderFieldSize: configuration.maxHeaderBytes, maxHeaderListSize: configuration.maxHeaderBytes,
                                            maxHeaderFieldCount: configuration.maxHeaderFields))
        return Application(router: router, server: .http1(configuration: http),
                           configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: serverName),
                           onServerRunning: onServerRunning, logger: logger)
    }
}

/// Closes a connection whose client has taken nothing for `timeout` while an answer waits to be sent: the channel
/// stayed unwritable (its buffer full, the body waiting on back-pressure) for that long. A client that stopped reading
/// is not held for ever, with its descriptor, its file and its task; a slow one that keeps taking bytes is not cut.
/// Costs nothing while answers flow: it acts only on changes of writability.
final class StalledClientCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Never
    private let timeout: TimeAmount
    private var check: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            check?.cancel()
            check = nil
        } else if check == nil {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            check = context.eventLoop.scheduleTask(in: timeout) { bound.value.close(promise: nil) }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        context.fireChannelInactive()
    }
}
