public import Foundation

/// The real `sluice` binary, run as a child process. Its standard output and error are read as they come (a
/// chatty child never blocks on a full pipe), and kept.
public final class SluiceProcess: @unchecked Sendable { // `process` is only touched from the test that owns it.
    public let process: Process
    private let output: PipeReader
    private let errors: PipeReader

    /// The built binary: `$SLUICE_BIN`, else `sluice` beside the test bundle.
    public static var binary: String {
        if let path = ProcessInfo.processInfo.environment["SLUICE_BIN"] { return path }
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        var dir = here
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("sluice").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return here.appendingPathComponent("sluice").path
    }

    /// Starts `sluice <arguments>`; with `user`, as that user (uid = gid), through util-linux's `setpriv` (needs root).
    public init(_ arguments: [String], environment: [String: String] = [:], user: UInt32? = nil) throws {
        process = Process()
        if let user {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid", "\(user)", "--regid", "\(user)", "--clear-groups", Self.binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = arguments
        }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        output = PipeReader(stdout)
        errors = PipeReader(stderr)
    }

    /// Runs to completion; returns (exit status, stdout, stderr).
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let p = try SluiceProcess(arguments, environment: environment)
        p.process.waitUntilExit()
        return (p.process.terminationStatus, p.standardOutput, p.errorOutput)
    }

    /// Runs to completion, reaping it itself to learn the CPU time it used (user + system, in seconds).
    public static func runMeasuringCPU(_ arguments: [String]) throws -> (status: Int32, cpu: Double) {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        defer { for arg in argv { free(arg) } }
        let spawned = posix_spawn(&pid, binary, &actions, nil, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        return ((status >> 8) & 0xFF, cpu)
    }

    public func kill(_ signal: Int32) { Foundation.kill(process.processIdentifier, signal) }

    /// The most memory the running process has held so far (VmHWM), in MiB; nil once it has exited.
    public var peakResidentMiB: Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return nil }
        return kib / 1024
    }

    /// Sends SIGTERM and waits.
    public func stop() {
        kill(SIGTERM)
        process.waitUntilExit()
    }

    /// Waits for the process to exit, up to `timeout` seconds; false when it is still running.
    public func wait(timeout: Double) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < end { usleep(10_000) }
        if process.isRunning { return false }
        process.waitUntilExit()
        return true
    }

    /// Everything written to standard output, once the process has exited.
    public var standardOutput: String { output.text }
    /// Everything written to standard error, once the process has exited.
    public var errorOutput: String { errors.text }
}

/// Reads a pipe to its end on a thread of its own, so the writer never blocks on it.
final class PipeReader: @unchecked Sendable { // `data` is written once by the reading thread, read after `done`.
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    init(_ pipe: Pipe) {
        Thread.detachNewThread { [self] in
            data = pipe.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }
    }

    /// All that was written, once the writer has closed its end.
    var text: String {
        done.wait()
        done.signal()
        return String(decoding: data, as: UTF8.self)
    }
}
