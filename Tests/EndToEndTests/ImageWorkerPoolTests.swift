import Foundation
import Logging
@testable import Pipeline
import Synchronization
import Testing
import TestSupport

/// The pool of image workers on the real `sluice image-worker` processes.
@Suite struct ImageWorkerPoolTests {
    /// This process's children.
    func children() -> [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.flatMap { tid in
            ((try? String(contentsOfFile: "/proc/self/task/\(tid)/children", encoding: .utf8)) ?? "").split(separator: " ").compactMap { Int32($0) }
        }
    }

    /// A worker idle for the idle timeout is let go (an idle daemon holds no image memory); the next task starts a new
    /// one and is answered.
    @Test func anIdleWorkerIsLetGoAndTheNextTaskGetsANewOne() throws {
        let answers = Mutex<[String]>([])
        let pool = ImageWorkerPool(command: [SluiceProcess.binary, "image-worker"], slots: 1, timeout: 30, idleTimeout: 1, logger: Logger(label: "test"),
                                   onStart: { _ in }, onComplete: { key, _ in answers.withLock { $0.append(key) } })
        defer { pool.stop() }
        let before = Set(children())
        // Not a valid task: the worker answers it with an error, which is an answer all the same.
        pool.submit([.init(key: "first", request: Array(#"{"nothing": true}"#.utf8))])
        #expect(waitUntil(timeout: 10) { answers.withLock { $0 } == ["first"] })
        let worker = Set(children()).subtracting(before)
        #expect(worker.count == 1, "one worker started")
        #expect(waitUntil(timeout: 5) { Set(children()).isDisjoint(with: worker) }, "let go after 1 s idle")
        pool.submit([.init(key: "second", request: Array(#"{"nothing": true}"#.utf8))])
        #expect(waitUntil(timeout: 10) { answers.withLock { $0 } == ["first", "second"] })
    }

    func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return condition()
    }
}
