import ArgumentParser
import CLinux
import Imaging
import SluiceCore
#if canImport(Glibc)
import Glibc
#endif

/// The child process image tasks run in (`ImageWorker`); started by the pipeline, not by people.
struct ImageWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image-worker",
        abstract: "Internal: does image tasks for a running pipeline, one JSON request per line on stdin.",
        shouldDisplay: false)

    @OptionGroup var images: ImageLimitOptions

    func run() throws {
        // Ends with the pipeline that started it, however that ends (its socket also closes, but a long task would run
        // on). A pipeline that died before this call has closed the socket: the loop below then ends at once. (No look
        // at getppid(): a pipeline may itself be pid 1, in a container.)
        _ = sluice_die_with_parent()
        // The first the kernel kills when memory runs out: a worker (whose task then ends in error), not the daemon.
        let preferred = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC)
        if preferred >= 0 {
            _ = "1000".withCString { write(preferred, $0, 4) }
            close(preferred)
        }
        ImageWorker.serve(limits: images.limits(Limits()))
    }
}
