import CLinux

/// What a daemon (`up`, `watch`, `serve`) does once start-up is over: lets go of the executable's resident code pages
/// (17 of an idle `up`'s 30 MiB, most touched only by argument parsing, the catalogue's opening, recovery and the
/// services' wiring). Code run again is mapped back at its first use: an idle `up` maps back about 8 MiB, for an RSS
/// of about 21 MiB. The pages stay in the page cache, where the kernel may reclaim them; RSS falls, not the memory the
/// machine holds for the binary.
enum StartupCodeRelease {
    /// How long after start the pages are let go: start-up is usually over well before (a long first recovery of a
    /// large root may not be: the release then saves less).
    static let after = Duration.seconds(1)

    /// A task that lets the pages go `after` start, unless cancelled first (a process that stops at once).
    static func scheduled() -> Task<Void, Never> {
        Task {
            guard (try? await Task.sleep(for: after)) != nil else { return }
            _ = sluice_release_code_pages()
        }
    }
}
