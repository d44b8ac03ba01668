import Foundation
import Pipeline
import ServiceLifecycle

/// The pipeline thread as a lifecycle service: started with the group, stopped on graceful shutdown.
struct PipelineService: Service {
    let pipeline: PipelineThread

    func run() async throws {
        try pipeline.start()
        try? await gracefulShutdown()
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                pipeline.stop()
                continuation.resume()
            }
        }
    }
}
