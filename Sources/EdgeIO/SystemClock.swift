#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place that reads the operating system's clocks; everything else is handed time.
///
/// The rules never read a clock (time is a parameter); the daemon's ``DaemonClock`` types, the
/// status file's wall-clock stamp, systemd's reload notice and the simulated lines' timing log
/// all read it here.
public enum SystemClock {
    /// CLOCK_MONOTONIC as a duration since an arbitrary fixed point (boot): never jumps.
    public static func monotonic() -> Duration {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return .seconds(spec.tv_sec) + .nanoseconds(spec.tv_nsec)
    }

    /// CLOCK_MONOTONIC in whole nanoseconds: the daemon's loop keeps real time and the rules' time
    /// in these (compared on every wake-up, where `Duration` arithmetic is 128-bit runtime calls),
    /// and logs another process compares with its own clock.
    public static func monotonicNanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    /// CLOCK_REALTIME as seconds since the Unix epoch: for stamps a person reads, never for timers.
    public static func wallClockSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
