public import Hummingbird
public import Logging
public import SluiceCore
import NIOCore

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
        return Application(router: router,
                           configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "sluice"),
                           logger: logger)
    }
}
