public import Hummingbird
public import Logging
public import SluiceCore
import NIOCore
import HummingbirdCore

/// The read-only HTTP reader: seed routes over the catalogue, everything else as static files from `outbox/`.
public enum ReaderApplication {
    public static func make(configuration: ReaderConfiguration, catalogue: any CatalogueStore, logger: Logger)
        -> some ApplicationProtocol
    {
        let router = Router()
        let metrics = ReaderMetrics()
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: ReadOnlyMiddleware(apiKey: configuration.apiKey))
        let routes = ReaderRoutes(root: configuration.root, catalogue: catalogue, baseURL: configuration.baseURL, metrics: metrics,
                                  keyed: configuration.apiKey != nil)
        router.add(middleware: OutboxFallbackMiddleware(routes: routes))
        routes.register(on: router)
        // Bounded connections: an idle one is closed, and headers past the limits end the request.
        let http = HTTP1Channel.Configuration(
            idleTimeout: .milliseconds(Int64(configuration.idleTimeout * 1000)),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: configuration.maxHeaderBytes, maxHeaderListSize: configuration.maxHeaderBytes,
                                            maxHeaderFieldCount: configuration.maxHeaderFields))
        return Application(router: router, server: .http1(configuration: http),
                           configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "sluice"),
                           logger: logger)
    }
}
