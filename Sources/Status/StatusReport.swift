#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BMSCore

/// The content of the status file (behaviour.md, "Status file"): what the running daemon sees
/// and decided, for `smallbmsd status` and for anyone's `jq`.
///
/// Keys are snake_case as in the spec. An absent value is written as `null`, never left out,
/// so a reader sees every key in every file. Times are ISO-8601 UTC strings (`2026-11-25T03:00:00Z`).
public struct StatusReport: Codable, Sendable, Equatable {
    /// The daemon's version.
    public var version: String
    /// The daemon's process id: `status` checks that this process still exists.
    public var pid: Int
    /// When the file was written.
    public var updated: String
    /// Seconds since the daemon started.
    public var uptimeSeconds: Double
    /// The remote on/off input (rule 1).
    public var remote: Remote
    /// Whether every configured battery has delivered valid data (rule 2).
    public var started: Bool
    /// The rule-8 fault holding now (missing or bad data), or nil.
    public var fault: String?
    /// Every output's state, since when and why.
    public var outputs: Outputs
    /// Every configured battery, battery 1 first.
    public var batteries: [Battery]
    /// The M8 bus link and its counters; nil (`null`) when the bank has no M8 adapter (every
    /// battery has its own BMS, `[[battery]]` tables and no `[bus]`).
    public var bus: Bus?
    /// The link of each battery with a source of its own (`[[battery]]`): device, health, counters;
    /// nil (`null`) when there is none.
    public var sources: [SourceLink]?
    /// The VE.Direct battery monitor (`[vedirect]`, rule 10), or nil when none is configured.
    public var monitor: Monitor?
    /// The Bluetooth readout (`victron-ble` batteries, a SmartShunt over Bluetooth), or nil when none is configured.
    public var bluetooth: Bluetooth?

    /// The remote input's level, written `"on"` / `"off"`.
    public enum Remote: String, Codable, Sendable, Hashable {
        /// The rules drive the outputs.
        case on
        /// Every output is held off.
        case off
    }

    /// One output's entry: `{"state": "on", "reason": "...", "since": "..."}`.
    public struct OutputStatus: Codable, Sendable, Equatable {
        /// Its level now.
        public var state: OutputState
        /// Why it is at that level (the journal text of its last change), nil before its first change.
        public var reason: String?
        /// When it last changed, nil if it never left its start-up OFF.
        public var since: String?

        /// An entry with every field given.
        public init(state: OutputState, reason: String?, since: String?) {
            self.state = state
            self.reason = reason
            self.since = since
        }

        /// Writes nil as `null` (synthesized coding would leave the key out).
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(state, forKey: .state)
            try container.encode(reason, forKey: .reason)
            try container.encode(since, forKey: .since)
        }

        private enum CodingKeys: String, CodingKey {
            case state, reason, since
        }
    }

    /// The five outputs, one key each.
    public struct Outputs: Codable, Sendable, Equatable {
        /// LOAD.
        public var load: OutputStatus
        /// CHARGER.
        public var charger: OutputStatus
        /// PRE-ALARM.
        public var prealarm: OutputStatus
        /// The "load on" LED.
        public var ledLoad: OutputStatus
        /// The "temp or OVP" LED.
        public var ledTempOVP: OutputStatus

        /// The five entries.
        public init(
            load: OutputStatus, charger: OutputStatus, prealarm: OutputStatus,
            ledLoad: OutputStatus, ledTempOVP: OutputStatus
        ) {
            self.load = load
            self.charger = charger
            self.prealarm = prealarm
            self.ledLoad = ledLoad
            self.ledTempOVP = ledTempOVP
        }

        /// The entry of `output`.
        public subscript(output: Output) -> OutputStatus {
            get {
                switch output {
                case .load: load
                case .charger: charger
                case .prealarm: prealarm
                case .ledLoad: ledLoad
                case .ledTempOVP: ledTempOVP
                }
            }
            set {
                switch output {
                case .load: load = newValue
                case .charger: charger = newValue
                case .prealarm: prealarm = newValue
                case .ledLoad: ledLoad = newValue
                case .ledTempOVP: ledTempOVP = newValue
                }
            }
        }

        // The same names as `Output`'s raw values, which are the names everywhere else.
        private enum CodingKeys: String, CodingKey {
            case load, charger, prealarm
            case ledLoad = "led_load"
            case ledTempOVP = "led_temp_ovp"
        }
    }

    /// One battery's latest valid data and link health.
    public struct Battery: Codable, Sendable, Equatable {
        /// Position in the chain, 1-based.
        public var battery: Int
        /// Cell voltages in millivolts, cell 1 first; empty before the first valid sentence.
        public var cellsMillivolts: [Int]
        /// Temperatures in tenths of a degree Celsius; empty before the first valid sentence.
        public var temperaturesDecicelsius: [Int]
        /// The flags byte as sent, two upper-case hex digits (`"03"`); nil before the first valid sentence.
        public var flags: String?
        /// Seconds since its latest fresh valid sentence; nil before the first.
        public var ageSeconds: Double?
        /// Why this battery is a fault now (rule 8); nil while it is healthy.
        public var fault: String?

        /// An entry with every field given.
        public init(
            battery: Int, cellsMillivolts: [Int], temperaturesDecicelsius: [Int],
            flags: String?, ageSeconds: Double?, fault: String?
        ) {
            self.battery = battery
            self.cellsMillivolts = cellsMillivolts
            self.temperaturesDecicelsius = temperaturesDecicelsius
            self.flags = flags
            self.ageSeconds = ageSeconds
            self.fault = fault
        }

        /// Writes nil as `null` (synthesized coding would leave the key out).
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(battery, forKey: .battery)
            try container.encode(cellsMillivolts, forKey: .cellsMillivolts)
            try container.encode(temperaturesDecicelsius, forKey: .temperaturesDecicelsius)
            try container.encode(flags, forKey: .flags)
            try container.encode(ageSeconds, forKey: .ageSeconds)
            try container.encode(fault, forKey: .fault)
        }

        private enum CodingKeys: String, CodingKey {
            case battery
            case cellsMillivolts = "cells_mv"
            case temperaturesDecicelsius = "temps_dc"
            case flags
            case ageSeconds = "age_s"
            case fault
        }
    }

    /// The M8 bus link: which device, whether it is open, and the decoder's counters.
    public struct Bus: Codable, Sendable, Equatable {
        /// The UART path (`[bus] device`).
        public var device: String
        /// Whether the port is open now (false while the adapter is unplugged).
        public var isOpen: Bool
        /// Good sentences delivered.
        public var sentences: Int
        /// Sentences discarded as bad (CRC, fields, length).
        public var bad: Int
        /// Sentences withheld as repeats of the previous seq.
        public var repeats: Int
        /// Good sentences of another type.
        public var foreign: Int

        /// A bus entry with every field given.
        public init(device: String, isOpen: Bool, sentences: Int, bad: Int, repeats: Int, foreign: Int) {
            self.device = device
            self.isOpen = isOpen
            self.sentences = sentences
            self.bad = bad
            self.repeats = repeats
            self.foreign = foreign
        }

        private enum CodingKeys: String, CodingKey {
            case device
            case isOpen = "open"
            case sentences, bad, repeats, foreign
        }
    }

    /// The VE.Direct monitor link: which device, whether it is open, its last state of charge, its counters.
    public struct Monitor: Codable, Sendable, Equatable {
        /// The VE.Direct port (`[vedirect] device`).
        public var device: String
        /// Whether the port is open now.
        public var isOpen: Bool
        /// The last state of charge the rules received, in percent, or nil before the first.
        public var stateOfChargePercent: Double?
        /// Text-protocol blocks whose checksum matched.
        public var blocks: Int
        /// Blocks discarded (checksum, length).
        public var bad: Int

        /// A monitor entry with every field given.
        public init(device: String, isOpen: Bool, stateOfChargePercent: Double?, blocks: Int, bad: Int) {
            self.device = device
            self.isOpen = isOpen
            self.stateOfChargePercent = stateOfChargePercent
            self.blocks = blocks
            self.bad = bad
        }

        /// Writes nil as `null`.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(device, forKey: .device)
            try container.encode(isOpen, forKey: .isOpen)
            try container.encode(stateOfChargePercent, forKey: .stateOfChargePercent)
            try container.encode(blocks, forKey: .blocks)
            try container.encode(bad, forKey: .bad)
        }

        private enum CodingKeys: String, CodingKey {
            case device
            case isOpen = "open"
            case stateOfChargePercent = "soc_pct"
            case blocks, bad
        }
    }

    /// The link of one battery's own BMS (a `[[battery]]`): which device, how it answers, its counters.
    public struct SourceLink: Codable, Sendable, Equatable {
        /// The battery's number.
        public var battery: Int
        /// What reads it: `jbd`, `jk`, `daly`.
        public var source: String
        /// The serial device.
        public var device: String
        /// Whether the port is open now (false while the adapter is unplugged).
        public var isOpen: Bool
        /// How the BMS has been answering: `answering`, `partial`, `silent`, `garbled`, `never answered`.
        public var health: String
        /// Requests written.
        public var polls: Int
        /// Reply frames accepted for the outstanding request.
        public var replies: Int
        /// Poll cycles that gave a fresh reading.
        public var readings: Int
        /// Frames discarded: checksum, length or framing.
        public var bad: Int
        /// Requests that got no complete answer in time.
        public var timeouts: Int
        /// Valid replies for another register than the one asked, refused.
        public var wrongRegister: Int

        /// An entry with every field given.
        public init(
            battery: Int, source: String, device: String, isOpen: Bool, health: String,
            polls: Int, replies: Int, readings: Int, bad: Int, timeouts: Int, wrongRegister: Int
        ) {
            self.battery = battery
            self.source = source
            self.device = device
            self.isOpen = isOpen
            self.health = health
            self.polls = polls
            self.replies = replies
            self.readings = readings
            self.bad = bad
            self.timeouts = timeouts
            self.wrongRegister = wrongRegister
        }

        private enum CodingKeys: String, CodingKey {
            case battery, source, device
            case isOpen = "open"
            case health, polls, replies, readings, bad, timeouts
            case wrongRegister = "wrong_register"
        }
    }

    /// A report with every field given.
    public init(
        version: String, pid: Int, updated: String, uptimeSeconds: Double, remote: Remote,
        started: Bool, fault: String?, outputs: Outputs, batteries: [Battery], bus: Bus?, monitor: Monitor? = nil,
        sources: [SourceLink]? = nil, bluetooth: Bluetooth? = nil
    ) {
        self.version = version
        self.pid = pid
        self.updated = updated
        self.uptimeSeconds = uptimeSeconds
        self.remote = remote
        self.started = started
        self.fault = fault
        self.outputs = outputs
        self.batteries = batteries
        self.bus = bus
        self.monitor = monitor
        self.sources = sources
        self.bluetooth = bluetooth
    }

    /// Writes nil as `null` (synthesized coding would leave the key out).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(pid, forKey: .pid)
        try container.encode(updated, forKey: .updated)
        try container.encode(uptimeSeconds, forKey: .uptimeSeconds)
        try container.encode(remote, forKey: .remote)
        try container.encode(started, forKey: .started)
        try container.encode(fault, forKey: .fault)
        try container.encode(outputs, forKey: .outputs)
        try container.encode(batteries, forKey: .batteries)
        try container.encode(bus, forKey: .bus)
        try container.encode(monitor, forKey: .monitor)
        try container.encode(sources, forKey: .sources)
        try container.encode(bluetooth, forKey: .bluetooth)
    }

    private enum CodingKeys: String, CodingKey {
        case version, pid, updated
        case uptimeSeconds = "uptime_s"
        case remote, started, fault, outputs, batteries, bus, monitor, sources, bluetooth
    }
}

extension StatusReport {
    /// The report of `snapshot`, taken at the monotonic instant `now`, which is the wall-clock
    /// time `wallClockNow` (seconds since the Unix epoch).
    ///
    /// The controller's instants are monotonic, so each `since` is placed on the wall clock by
    /// its distance from `now`: a clock step (NTP at boot) then moves no output's history.
    public init(
        snapshot: ControllerSnapshot, at now: Instant, wallClockNow: Double,
        version: String, pid: Int, uptime: Duration, bus: Bus?, monitor: Monitor? = nil
    ) {
        func wallClock(_ instant: Instant) -> String {
            StatusReport.timestamp(secondsSinceEpoch: wallClockNow - (now - instant).secondsValue)
        }
        func entry(_ output: Output) -> OutputStatus {
            guard let status = snapshot.outputs.first(where: { $0.output == output }) else {
                return OutputStatus(state: .off, reason: nil, since: nil)
            }
            return OutputStatus(state: status.state, reason: status.reason?.text, since: status.since.map(wallClock))
        }
        self.init(
            version: version,
            pid: pid,
            updated: StatusReport.timestamp(secondsSinceEpoch: wallClockNow),
            uptimeSeconds: StatusReport.milliseconds(uptime),
            remote: snapshot.remoteOn ? .on : .off,
            started: snapshot.started,
            fault: snapshot.fault?.text,
            outputs: Outputs(
                load: entry(.load), charger: entry(.charger), prealarm: entry(.prealarm),
                ledLoad: entry(.ledLoad), ledTempOVP: entry(.ledTempOVP)),
            batteries: snapshot.batteries.map { status in
                Battery(
                    battery: status.battery,
                    cellsMillivolts: status.reading?.cellMillivolts ?? [],
                    temperaturesDecicelsius: status.reading?.temperatureDecicelsius ?? [],
                    flags: status.reading.map { StatusReport.hexByte($0.flags.rawValue) },
                    ageSeconds: status.age.map(StatusReport.milliseconds),
                    fault: status.problem?.text)
            },
            bus: bus,
            monitor: monitor)
    }

    /// `2026-11-25T03:00:00Z` for a wall-clock time in seconds since the Unix epoch (UTC, whole seconds).
    public static func timestamp(secondsSinceEpoch: Double) -> String {
        var seconds = time_t(secondsSinceEpoch.rounded(.down))
        var fields = tm()
        gmtime_r(&seconds, &fields)
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(fields.tm_year + 1900, 4))-\(padded(fields.tm_mon + 1, 2))-\(padded(fields.tm_mday, 2))"
            + "T\(padded(fields.tm_hour, 2)):\(padded(fields.tm_min, 2)):\(padded(fields.tm_sec, 2))Z"
    }

    /// Seconds since the Unix epoch for a timestamp written by ``timestamp(secondsSinceEpoch:)``
    /// (a fraction of a second is accepted and dropped); nil for any other text.
    public static func secondsSinceEpoch(timestamp: String) -> Double? {
        let bytes = Array(timestamp.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int32? {
            var value: Int32 = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int32(byte - UInt8(ascii: "0"))
            }
            return value
        }
        let separators: [(Int, Character)] = [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":")]
        for (index, separator) in separators where bytes[index] != separator.asciiValue {
            return nil
        }
        if bytes.count > 20 {
            guard bytes[19] == UInt8(ascii: "."), bytes.count > 21, number(20..<(bytes.count - 1)) != nil else { return nil }
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var fields = tm()
        fields.tm_year = year - 1900
        fields.tm_mon = month - 1
        fields.tm_mday = day
        fields.tm_hour = hour
        fields.tm_min = minute
        fields.tm_sec = second
        return Double(timegm(&fields))
    }

    // Rounded to the millisecond: the clock's nanoseconds would only add noise like 0.40000000001.
    private static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.wholeMilliseconds) / 1000
    }

    private static func hexByte(_ value: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(value >> 4)], digits[Int(value & 0x0F)]])
    }
}
