/// Turns one SmartShunt or BMV's advertisements (battery-monitor record 0x02) into fresh records,
/// for rule 10's state of charge over Bluetooth. Same key scheme and freshness as
/// ``SmartLithiumDecoder``: fresh = decrypts with the key and the data counter moved.
public struct BatteryMonitorDecoder: Sendable {
    private var stream: InstantReadoutStream

    /// A decoder for the monitor whose Instant Readout key is `key`.
    public init(key: InstantReadoutKey) {
        stream = InstantReadoutStream(key: key, recordType: BatteryMonitorRecord.recordType)
    }

    /// What this decoder received, per outcome.
    public var counters: InstantReadoutCounters { stream.counters }

    /// Takes one advertisement's manufacturer data (the bytes after the company id 0x02E1). A fresh
    /// record's ``BatteryMonitorRecord/stateOfChargePercent`` is the SoC (nil while the monitor does
    /// not know it).
    public mutating func receive(manufacturerData: some Collection<UInt8>) -> InstantReadoutOutcome<BatteryMonitorRecord> {
        switch stream.open(manufacturerData) {
        case .repeated(let counter):
            return .repeated(dataCounter: counter)
        case .refused(let error):
            return .refused(error)
        case .fresh(let opened):
            do throws(InstantReadoutError) {
                let record = try BatteryMonitorRecord(plaintext: opened.plaintext)
                stream.accept(opened)
                return .fresh(record)
            } catch {
                _ = stream.reject(error)
                return .refused(error)
            }
        }
    }

    /// Takes one advertisement and gives just the state of charge in percent: nil for anything but
    /// a fresh record that has one.
    public mutating func receiveStateOfChargePercent(manufacturerData: some Collection<UInt8>) -> Double? {
        receive(manufacturerData: manufacturerData).freshValue?.stateOfChargePercent
    }
}
