import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Random bits from the kernel's generator, read 4 KiB at a time from `/dev/urandom` (the same generator as
/// `getrandom`): one system call per 512 draws instead of one per draw (an id takes two). Each byte is handed out
/// once, so the bits are as good as `SystemRandomNumberGenerator`'s, which is also the fallback.
public enum RandomPool {
    private struct Pool: ~Copyable {
        var bytes = [UInt64](repeating: 0, count: 512)
        var next = 512

        mutating func draw() -> UInt64 {
            if next == bytes.count { refill() }
            defer { next += 1 }
            return bytes[next]
        }

        var device: Int32 = -2 // not opened yet

        private mutating func refill() {
            if device == -2 { device = open("/dev/urandom", O_RDONLY | O_CLOEXEC) }
            let count = bytes.count
            let filled = device < 0 ? 0 : bytes.withUnsafeMutableBytes { buffer -> Int in
                var filled = 0
                while filled < buffer.count {
                    let n = read(device, buffer.baseAddress! + filled, buffer.count - filled)
                    if n > 0 { filled += n } else if n < 0 && errno == EINTR { continue } else { break }
                }
                return filled
            }
            if filled < count * 8 {
                var system = SystemRandomNumberGenerator()
                for i in (filled / 8)..<count { bytes[i] = system.next() }
            }
            next = 0
        }
    }

    private static let pool = Mutex(Pool())

    /// 64 random bits.
    public static func next() -> UInt64 { pool.withLock { $0.draw() } }
}
