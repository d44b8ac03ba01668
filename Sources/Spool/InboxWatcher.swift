import CInotifyTools
import SystemPackage
import Foundation
import SluiceCore

/// Watches `inbox/` with libinotifytools and turns events into hints; the directory stays the truth.
///
/// libinotifytools keeps one process-global descriptor and returns events in static storage, so one
/// thread owns it: it copies each event's mask at once and posts a hint.
public final class InboxWatcher: @unchecked Sendable { // `thread` is set once in start(); `stopped` is a locked flag.
    private let inbox: String
    private let wakeup: Wakeup
    private var thread: Thread?
    private let stopped = LockedFlag()

    public init(inbox: String, wakeup: Wakeup) {
        self.inbox = inbox
        self.wakeup = wakeup
    }

    /// Sets up the watch; throws when inotify is unavailable (the caller falls back to timed scans).
    public func start() throws {
        guard inotifytools_initialize() != 0 else {
            throw SystemCallError(Errno(rawValue: inotifytools_error()), "inotify initialise", inbox)
        }
        let events = Int32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)
        guard inotifytools_watch_file(inbox, events) != 0 else {
            throw SystemCallError(Errno(rawValue: inotifytools_error()), "inotify watch", inbox)
        }
        let thread = Thread { [self] in run() }
        thread.name = "sluice-inotify"
        self.thread = thread
        thread.start()
    }

    private func run() {
        while !stopped.value {
            // Blocks up to one second, so a stop is noticed promptly.
            guard let event = inotifytools_next_event(1) else { continue }
            let mask = event.pointee.mask
            if mask & UInt32(IN_Q_OVERFLOW) != 0 { wakeup.post(.overflow) } else { wakeup.post(.inbox) }
        }
    }

    public func stop() { stopped.set() }
}

/// A flag one thread sets and another polls.
final class LockedFlag: @unchecked Sendable { // NSLock guards `flag`.
    private let lock = NSLock()
    private var flag = false
    var value: Bool { lock.lock(); defer { lock.unlock() }; return flag }
    func set() { lock.lock(); flag = true; lock.unlock() }
}
