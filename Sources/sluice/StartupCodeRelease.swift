import CLinux

/// What a daemon (`up`, `watch`, `serve`) does once start-up is over: lets go of the executable's code pages that
/// start-up touched (argument parsing, the catalogue's opening and migrations, recovery, the services' wiring), about
/// 17 of an idle `up`'s 30 MiB. Code run again is mapped back from the page cache at its first use.
enum StartupCodeRelease {
    /// How long after start the pages are let go: start-up is over well before.
    static let after = Duration.seconds(1)

    /// A task that lets the pages go `after` start, unless cancelled first (a process that stops at once).
    static func scheduled() -> Task<Void, Never> {
        Task {
            guard (try? await Task.sleep(for: after)) != nil else { return }
            _ = sluice_release_code_pages()
        }
    }
}
