import Glibc

/// Helpers of the GPIO tests, in a namespace so that other Hardware tests can have their own.
enum GPIOTestSupport {
    /// A fresh path under /tmp for one test; the caller removes it.
    static func temporaryPath(_ name: String) -> String {
        "/tmp/smallbmsd-hardware-test-\(getpid())-\(UInt32.random(in: 0 ... .max))-\(name)"
    }

    /// True when `descriptor` polls readable within `milliseconds`.
    static func pollsReadable(_ descriptor: Int32, within milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while true {
            let count = poll(&entry, 1, milliseconds)
            if count < 0 && errno == EINTR { continue }
            return count == 1 && entry.revents & Int16(POLLIN) != 0
        }
    }

    /// CLOCK_MONOTONIC now, in nanoseconds: the clock of the simulated lines log.
    static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// The whole content of a file, or nil when it cannot be read.
    static func readWholeFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            bytes += buffer[0 ..< count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
