import Logging
import ServiceLifecycle
import UnixSignals

extension ServiceGroup {
    /// Sluice's services in one group: SIGTERM and SIGINT shut them down gracefully, last first; when one ends or
    /// fails, the others are shut down gracefully too, and `run()` throws the failure.
    static func sluice(_ services: [any Service], logger: Logger) -> ServiceGroup {
        ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                                           failureTerminationBehavior: .gracefullyShutdownGroup) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    }
}
