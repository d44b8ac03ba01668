import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SluiceCore
import Logging
import SystemPackage

/// Image tasks run in child processes (`sluice image-worker`), one per slot, each slot driven by a thread of its own:
/// a crash in a decoder, an allocation past what the machine has, or a task past its time limit ends that child (the
/// slot starts another at its next task), never the pipeline. A slot's child that has had nothing to do for
/// `idleTimeout` seconds is let go, so an idle daemon holds no image memory.
///
/// Requests and answers are single JSON lines (`ImageWorker`), over a socket pair: a child that died is an error
/// to read (`send` with `MSG_NOSIGNAL`), never a SIGPIPE.
final class ImageWorkerPool: @unchecked Sendable { // `queue`, `stopping` and `children` are guarded by `condition`.
    struct Work: Sendable {
        /// The job id.
        var key: String
        /// One request line, without its newline.
        var request: [UInt8]
    }

    enum Outcome: Sendable {
        /// The child's answer: `{"format", "width", "height", "size"}` or `{"error"}`.
        case answered(JSONValue)
        /// The child did not answer: it died or ran past the time limit (and was killed). Not transient.
        case failed(String)
        /// No child could be started (no process or descriptor to spare): a failure of the machine, tried again.
        case unavailable(String)
    }

    private let command: [String]
    private let timeout: Double
    private let idleTimeout: Double
    private let logger: Logger
    private let onStart: @Sendable (String) -> Void
    private let onComplete: @Sendable (String, Outcome) -> Void
    private let condition = NSCondition()
    private var queue: [Work] = []
    private var stopping = false
    private var children: [Int: Child] = [:]
    private let finished = DispatchGroup()

    /// `command` is the worker's executable and arguments.
    init(command: [String], slots: Int, timeout: Double, idleTimeout: Double = 30, logger: Logger,
         onStart: @escaping @Sendable (String) -> Void, onComplete: @escaping @Sendable (String, Outcome) -> Void) {
        self.command = command
        self.timeout = timeout
        self.idleTimeout = idleTimeout
        self.logger = logger
        self.onStart = onStart
        self.onComplete = onComplete
        for slot in 0..<max(1, slots) {
            finished.enter()
            let thread = Thread { [self] in
                serve(slot: slot)
                finished.leave()
            }
            thread.name = "sluice-image-\(slot)"
            thread.start()
        }
    }

    func submit(_ work: [Work]) {
        condition.lock()
        queue.append(contentsOf: work)
        condition.broadcast()
        condition.unlock()
    }

    /// Kills the children and ends the slots; nothing is reported after it returns (work under way is abandoned: its
    /// caller hands it back).
    func stop() {
        condition.lock()
        stopping = true
        queue.removeAll()
        for child in children.values { kill(child.pid, SIGKILL) }
        condition.broadcast()
        condition.unlock()
        finished.wait()
    }

    private func serve(slot: Int) {
        var child: Child?
        defer { child?.end(kill: true) }
        while true {
            condition.lock()
            // Waiting costs no wake-up: without a child, until work or a stop comes (both broadcast); with one, at
            // most until it has been idle for `idleTimeout`, when it is let go.
            let idleSince = Date()
            while queue.isEmpty && !stopping {
                guard child != nil else { condition.wait(); continue }
                let due = idleSince.addingTimeInterval(idleTimeout)
                if condition.wait(until: due) || Date() < due { continue }
                children[slot] = nil
                condition.unlock()
                child?.end(kill: false)
                child = nil
                condition.lock()
            }
            if stopping { condition.unlock(); return }
            let work = queue.removeFirst()
            condition.unlock()

            onStart(work.key)
            let outcome: Outcome
            do {
                if let idle = child, idle.hasExited {
                    // It died while it waited (the OOM killer, a signal): not this task's doing; a new one takes it.
                    condition.withLock { children[slot] = nil }
                    idle.end(kill: false)
                    child = nil
                }
                if child == nil {
                    do { child = try Child(command: command) } catch {
                        logger.error("could not start an image worker", metadata: ["error": "\(error)"])
                        let stop = condition.withLock { stopping }
                        if stop { return }
                        onComplete(work.key, .unavailable("\(error)"))
                        // Not the whole queue failed at once for a cause that lasts a moment (no process to spare).
                        Thread.sleep(forTimeInterval: 1)
                        continue
                    }
                    condition.lock()
                    children[slot] = child
                    let stop = stopping
                    condition.unlock()
                    if stop { return }
                }
                outcome = try child!.ask(work.request, timeout: timeout)
            } catch let failure as Child.Failure {
                outcome = .failed(failure.message)
                logger.warning("image worker ended", metadata: ["task job": "\(work.key)", "why": "\(failure.message)"])
                condition.lock()
                children[slot] = nil
                condition.unlock()
                child?.end(kill: true) // reaped only now, out of `stop`'s reach
                child = nil
            } catch {
                outcome = .failed("\(error)")
            }
            condition.lock()
            let stop = stopping
            condition.unlock()
            if stop { return }
            onComplete(work.key, outcome)
        }
    }

    /// One worker process and its end of the socket pair.
    final class Child {
        struct Failure: Error { var message: String }

        let pid: pid_t
        private let socket: Int32
        private var buffer: [UInt8] = []

        init(command: [String]) throws {
            var pair: [Int32] = [0, 0]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
                throw SystemCallError.current("socketpair", "image worker")
            }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, pair[1], 0)
            posix_spawn_file_actions_adddup2(&actions, pair[1], 1)
            var pid: pid_t = 0
            let argv = command.map { strdup($0) } + [nil]
            defer { for arg in argv { free(arg) } }
            let status = posix_spawn(&pid, command[0], &actions, nil, argv, environ)
            close(pair[1])
            guard status == 0 else {
                close(pair[0])
                throw SystemCallError(Errno(rawValue: status), "posix_spawn", command[0])
            }
            self.pid = pid
            socket = pair[0]
        }

        /// Sends one request and waits up to `timeout` seconds for its answer; past that the child is killed.
        func ask(_ request: [UInt8], timeout: Double) throws -> Outcome {
            let line = request + [0x0A]
            var sent = 0
            while sent < line.count {
                let n = line.withUnsafeBytes { buffer in retryingEINTR { send(socket, buffer.baseAddress! + sent, buffer.count - sent, Int32(MSG_NOSIGNAL)) } }
                guard n > 0 else { throw Failure(message: died()) }
                sent += n
            }
            let deadline = Date(timeIntervalSinceNow: timeout)
            while true {
                if let newline = buffer.firstIndex(of: 0x0A) {
                    let answer = Array(buffer[..<newline])
                    buffer.removeFirst(newline + 1)
                    guard let json = try? JSONParser.parse(answer) else { throw Failure(message: "the image worker answered something that is not JSON") }
                    return .answered(json)
                }
                let left = deadline.timeIntervalSinceNow
                guard left > 0 else {
                    kill(pid, SIGKILL)
                    throw Failure(message: "took longer than the time limit of \(Int(timeout)) s (--task-timeout): stopped")
                }
                var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, Int32(min(left, 1) * 1000) + 1)
                if ready < 0 && errno != EINTR { throw Failure(message: died()) }
                guard ready > 0 else { continue }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let n = chunk.withUnsafeMutableBytes { buffer in retryingEINTR { recv(socket, buffer.baseAddress, buffer.count, 0) } }
                guard n > 0 else { throw Failure(message: died()) }
                buffer.append(contentsOf: chunk[..<n])
            }
        }

        /// Why the child stopped answering, once it has exited. It is not reaped here (`WNOWAIT`): until `end`, its pid
        /// stays its own, so `stop` may still signal it safely.
        private func died() -> String {
            kill(pid, SIGKILL) // when the socket failed while it lived: it is of no more use
            var info = siginfo_t()
            guard retryingEINTR({ waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) }) == 0 else { return "the image worker stopped answering" }
            let status = info._sifields._sigchld.si_status
            return info.si_code == CLD_EXITED ? "the image worker exited (status \(status)) while working on this image"
                : "the image worker died (signal \(status): \(String(cString: strsignal(status)))) while working on this image"
        }

        /// True once the child has exited (it is not reaped here: `end` does that).
        var hasExited: Bool {
            var info = siginfo_t()
            return waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info._sifields._sigchld.si_pid == pid
        }

        /// Ends the child: its input closed (it exits), or killed; and reaped.
        func end(kill killing: Bool) {
            if killing { kill(pid, SIGKILL) }
            close(socket)
            var status: Int32 = 0
            _ = retryingEINTR { waitpid(pid, &status, 0) }
        }
    }
}
