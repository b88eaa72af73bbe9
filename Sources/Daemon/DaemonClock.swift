import BMSCore
import EdgeIO
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where the daemon's loop gets its time. The core runs on `coreNow()`; waits are real.
///
/// The daemon uses ``MonotonicClock`` (wall-clock jumps never move a timer); `demo --speed`
/// uses a ``ScaledClock`` so the same rules run faster than real time.
public protocol DaemonClock: Sendable {
    /// Real time since an arbitrary fixed point, from CLOCK_MONOTONIC.
    func realNow() -> Duration
    /// The core's time line at this moment.
    func coreNow() -> Instant
    /// How long to really wait for `coreDuration` of core time to pass.
    func realDuration(forCore coreDuration: Duration) -> Duration
    /// The same in nanoseconds (the loop asks on every wake-up).
    func realNanoseconds(forCore coreNanoseconds: Int64) -> Int64
    /// Seconds since the Unix epoch, for stamps a person reads (the status file); never for timers.
    func wallClockSeconds() -> Double
    /// Real and core time at this moment, from as few clock reads as the clock allows.
    /// (A requirement, not only an extension method, so that the loop's `any DaemonClock` reaches
    /// ``MonotonicClock``'s single read.)
    func instant() -> DaemonInstant
}

extension DaemonClock {
    public func wallClockSeconds() -> Double { SystemClock.wallClockSeconds() }
    public func realNanoseconds(forCore coreNanoseconds: Int64) -> Int64 {
        realDuration(forCore: .nanoseconds(coreNanoseconds)).nearestNanoseconds
    }
    /// Real and core time at this moment: two reads, unless the clock has a better way.
    public func instant() -> DaemonInstant { DaemonInstant(real: realNow(), core: coreNow()) }
}

/// Real time: the core's instants are the monotonic clock's, counted from the daemon's start.
public struct MonotonicClock: DaemonClock {
    /// CLOCK_MONOTONIC at the start, in nanoseconds: the core's origin.
    private let originNanoseconds: Int64

    public init() { originNanoseconds = SystemClock.monotonicNanoseconds() }

    public func realNow() -> Duration { SystemClock.monotonic() }
    public func coreNow() -> Instant {
        Instant(nanosecondsSinceOrigin: SystemClock.monotonicNanoseconds() &- originNanoseconds)
    }
    public func realDuration(forCore coreDuration: Duration) -> Duration { coreDuration }
    public func realNanoseconds(forCore coreNanoseconds: Int64) -> Int64 { coreNanoseconds }
    /// One clock read for both time lines (the loop reads the time once or twice a wake-up).
    public func instant() -> DaemonInstant {
        let nanoseconds = SystemClock.monotonicNanoseconds()
        return DaemonInstant(realNanoseconds: nanoseconds, core: Instant(nanosecondsSinceOrigin: nanoseconds &- originNanoseconds))
    }
}

/// Time running `speed` times faster than real time, for `demo --speed`.
public struct ScaledClock: DaemonClock {
    private let origin: Duration
    /// How many core seconds pass per real second.
    public let speed: Double

    public init(speed: Double) {
        origin = SystemClock.monotonic()
        self.speed = speed
    }

    public func realNow() -> Duration { SystemClock.monotonic() }
    public func coreNow() -> Instant { Instant(sinceOrigin: (SystemClock.monotonic() - origin) * speed) }
    public func realDuration(forCore coreDuration: Duration) -> Duration { coreDuration / speed }
}

/// A ``ScaledClock`` that never runs ahead of the bank feeding the bus: the demo's clock.
///
/// At `--speed 10` a 100 ms hiccup of a busy machine would be a full second of bank time in
/// which the simulated batteries seem silent. Capping the core's time at the simulator's
/// progress (plus one tick) makes the demo show the same transitions on any machine.
public final class PacedClock: DaemonClock {
    private let scaled: ScaledClock
    private let tick: Duration
    private let pace = Mutex<Duration>(.zero)

    /// A clock `speed` times faster than real time, held back to `tick` past the last ``advance(to:)``.
    public init(speed: Double, tick: Duration) {
        scaled = ScaledClock(speed: speed)
        self.tick = tick
    }

    /// The feeder has written everything due up to `instant`.
    public func advance(to instant: Instant) {
        pace.withLock { $0 = max($0, instant.sinceOrigin) }
    }

    public func realNow() -> Duration { scaled.realNow() }

    public func coreNow() -> Instant {
        let limit = pace.withLock { $0 } + tick
        return min(scaled.coreNow(), Instant(sinceOrigin: limit))
    }

    public func realDuration(forCore coreDuration: Duration) -> Duration { scaled.realDuration(forCore: coreDuration) }
}
