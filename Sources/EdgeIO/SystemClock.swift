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
    public static func monotonic() -> Duration { monotonicReading().duration }

    /// CLOCK_MONOTONIC read once, both as a duration and in whole nanoseconds: the daemon's loop
    /// keeps real time as the one and the rules' time as the other. Built from the components,
    /// not by `Duration` arithmetic (128-bit calls into the runtime, on every wake-up).
    public static func monotonicReading() -> (duration: Duration, nanoseconds: Int64) {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        let seconds = Int64(spec.tv_sec), nanoseconds = Int64(spec.tv_nsec)
        return (Duration(secondsComponent: seconds, attosecondsComponent: nanoseconds &* 1_000_000_000),
                seconds &* 1_000_000_000 &+ nanoseconds)
    }

    /// CLOCK_MONOTONIC in whole nanoseconds (for logs another process compares with its own clock).
    public static func monotonicNanoseconds() -> Int64 { monotonicReading().nanoseconds }

    /// CLOCK_REALTIME as seconds since the Unix epoch: for stamps a person reads, never for timers.
    public static func wallClockSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
