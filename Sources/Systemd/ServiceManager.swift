import EdgeIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The daemon's side of systemd's `Type=notify` protocol: readiness, status text, watchdog
/// pings, stop and reload notices.
///
/// Outside systemd (a shell, `demo`) every call is a harmless no-op that returns false, so the
/// daemon calls these unconditionally.
public enum ServiceManager {
    /// Whether systemd listens for notifications (`NOTIFY_SOCKET` is set): a `Type=notify` unit.
    public static var isUnderSystemd: Bool {
        getenv("NOTIFY_SOCKET") != nil
    }

    /// Sends newline-separated `NAME=value` assignments to systemd. True when they were sent;
    /// false outside systemd or when sending failed (nothing a daemon could do about it).
    @discardableResult
    public static func notify(_ assignments: String) -> Bool {
        LibSystemd.notify(assignments) > 0
    }

    /// The watchdog interval systemd expects pings within (`WatchdogSec=`), or nil when no
    /// watchdog is set for this process. Ping at half of it, so one late wake-up is not fatal.
    public static var watchdogInterval: Duration? {
        let (result, microseconds) = LibSystemd.watchdogEnabled()
        guard result > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(clamping: microseconds))
    }

    /// Start-up is done (`READY=1`): systemd now counts the unit as started and `systemctl start` returns.
    @discardableResult
    public static func ready() -> Bool {
        notify("READY=1")
    }

    /// A one-line status for `systemctl status` (`STATUS=...`).
    @discardableResult
    public static func status(_ text: String) -> Bool {
        // A newline would start a new assignment, letting the text set arbitrary variables.
        let oneLine = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return notify("STATUS=\(oneLine)")
    }

    /// The watchdog ping (`WATCHDOG=1`).
    @discardableResult
    public static func watchdog() -> Bool {
        notify("WATCHDOG=1")
    }

    /// Shutdown has begun (`STOPPING=1`), so a slow safe-state release is not taken for a hang.
    @discardableResult
    public static func stopping() -> Bool {
        notify("STOPPING=1")
    }

    /// A reload has begun (`RELOADING=1`); send ``ready()`` when it is done.
    ///
    /// `MONOTONIC_USEC` is what systemd 253+ requires to match the notice to the reload request
    /// (`Type=notify-reload`); systemd 252 ignores it.
    @discardableResult
    public static func reloading() -> Bool {
        notify("RELOADING=1\nMONOTONIC_USEC=\(monotonicMicroseconds())")
    }

    private static func monotonicMicroseconds() -> UInt64 {
        UInt64(SystemClock.monotonicNanoseconds() / 1_000)
    }
}
