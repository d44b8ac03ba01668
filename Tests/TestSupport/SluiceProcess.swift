public import Foundation

/// The real `sluice` binary, run as a child process.
public final class SluiceProcess: @unchecked Sendable { // `process` is only touched from the test that owns it.
    public let process: Process
    public let stdout = Pipe()
    public let stderr = Pipe()

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
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
    }

    /// Runs to completion; returns (exit status, stdout, stderr).
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let p = try SluiceProcess(arguments, environment: environment)
        let out = p.stdout.fileHandleForReading.readDataToEndOfFile()
        let err = p.stderr.fileHandleForReading.readDataToEndOfFile()
        p.process.waitUntilExit()
        return (p.process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    public func kill(_ signal: Int32) { Foundation.kill(process.processIdentifier, signal) }

    /// Waits for the process to exit, up to `timeout` seconds; false when it is still running.
    public func wait(timeout: Double) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < end { usleep(10_000) }
        if process.isRunning { return false }
        process.waitUntilExit()
        return true
    }

    /// Everything written to standard error so far, once the process has exited.
    public var errorOutput: String { String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }

    /// Sends SIGTERM and waits.
    public func stop() {
        kill(SIGTERM)
        process.waitUntilExit()
    }
}
