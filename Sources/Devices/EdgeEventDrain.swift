import Config
import EdgeIO
#if canImport(Glibc)
import Glibc
#endif

/// Empties a line's queue of edge events without ever blocking, for either libgpiod generation:
/// their event reads block when nothing is queued, so `poll` is asked first, every time.
enum EdgeEventDrain {
    /// Calls `readBatch` (one libgpiod read of up to the kernel's event FIFO, returning < 0 with
    /// errno on failure) while `descriptor` polls readable; only the level matters, not the events.
    static func drain(
        _ descriptor: Int32, selector: LineSelector, chip: String, readBatch: () -> Int32
    ) throws(HardwareError) {
        while true {
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let count = poll(&ready, 1, 0)
            if count == 0 { return }
            if count < 0 {
                if errno == EINTR { continue }
                throw GPIOMessage.remoteReadFailed(selector, chip: chip, errno: errno)
            }
            guard ready.revents & Int16(POLLIN) != 0 else {
                throw GPIOMessage.remoteReadFailed(selector, chip: chip, errno: EIO)
            }
            if readBatch() < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw GPIOMessage.remoteReadFailed(selector, chip: chip, errno: errno)
            }
        }
    }
}
