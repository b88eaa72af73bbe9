import BMSCore

/// Turns one Lithium Battery Smart's advertisements into fresh ``BMSCore/BatteryReading``s: the
/// `victron-ble` source of behaviour.md, without the Bluetooth (pure: bytes in, readings out).
///
/// A reading is fresh when the advertisement decrypts with the battery's key and its data counter
/// moved. It carries:
/// - flags: ATD = BMS flag bit 26, ATC = bit 25, PRE = bit 12 (low-voltage warning);
/// - the available cells, in order; raw 0x00 gives 2600 mV and 0x7E 3860 mV (the readout's range
///   limits, so that UV, PRE and OV trips still act). A 12.8 V battery sends "not available" for
///   cells 5-8, so it reports 4 cells; a cell "not available" among those the bank is configured
///   for therefore makes a wrong cell count, which the rules treat as a fault at once;
/// - the temperature, or none when "not available".
///
/// Not trusted, so no reading (counted `bad`):
/// - exactly 4 available cells with a "not available" one before the 4th: they would pass a 4-cell
///   bank's count (the only other count, 8, cannot have a gap) with a cell in the wrong place;
/// - all 8 cells and the battery voltage there, but more than ``cellSumToleranceMillivolts`` apart.
/// Both catch the noise that a key with the right first byte and a wrong rest decrypts to (the key
/// check byte alone lets 1 wrong key in 256 through); a real battery sends neither.
public struct SmartLithiumDecoder: Sendable {
    /// How far the battery voltage may be from the sum of its 8 cells (cells are sent to 10 mV,
    /// the voltage is measured apart; the published captures agree to the last digit).
    public static let cellSumToleranceMillivolts = 300

    /// The battery position the readings are for.
    public let battery: Int
    private var stream: InstantReadoutStream
    /// The last fresh record in full (battery voltage, balancer, error code) for the status output.
    public private(set) var latestRecord: SmartLithiumRecord?

    /// A decoder for the battery at position `battery` (1-based) whose Instant Readout key is `key`.
    public init(battery: Int, key: InstantReadoutKey) {
        self.battery = battery
        stream = InstantReadoutStream(key: key, recordType: SmartLithiumRecord.recordType)
    }

    /// What this decoder received, per outcome.
    public var counters: InstantReadoutCounters { stream.counters }

    /// Takes one advertisement's manufacturer data (the bytes after the company id 0x02E1).
    public mutating func receive(manufacturerData: some Collection<UInt8>) -> InstantReadoutOutcome<BatteryReading> {
        switch stream.open(manufacturerData) {
        case .repeated(let counter):
            return .repeated(dataCounter: counter)
        case .refused(let error):
            return .refused(error)
        case .fresh(let opened):
            let record: SmartLithiumRecord
            do throws(InstantReadoutError) {
                record = try SmartLithiumRecord(plaintext: opened.plaintext)
            } catch {
                _ = stream.reject(error)
                return .refused(error)
            }
            switch Self.reading(of: record, battery: battery) {
            case .success(let reading):
                stream.accept(opened)
                latestRecord = record
                return .fresh(reading)
            case .failure(let error):
                _ = stream.reject(error)
                return .refused(error)
            }
        }
    }

    /// The core's reading for `record`, or why the record is not trusted (see the type's notes).
    public static func reading(of record: SmartLithiumRecord, battery: Int) -> Result<BatteryReading, InstantReadoutError> {
        // Decoded records are always within range; a hand-made one is held to the same limits.
        let cells = record.cellMillivolts.compactMap { $0 }.map {
            min(max($0, SmartLithiumRecord.lowestCellMillivolts), SmartLithiumRecord.highestCellMillivolts)
        }
        if cells.count == 4, let gap = record.cellMillivolts.prefix(4).firstIndex(where: { $0 == nil }) {
            let after = record.cellMillivolts.indices.first { $0 > gap && record.cellMillivolts[$0] != nil } ?? gap
            return .failure(.cellAfterMissingCell(cell: after + 1))
        }
        if cells.count == SmartLithiumRecord.cellCount, let battery = record.batteryMillivolts {
            // A cell at a range limit is only a bound: at 2600 it may be anything lower, at 3860 higher.
            let low = cells.reduce(0) { $0 + ($1 == SmartLithiumRecord.lowestCellMillivolts ? 0 : $1) }
            let high = cells.contains(SmartLithiumRecord.highestCellMillivolts) ? Int.max : cells.reduce(0, +)
            let tolerance = cellSumToleranceMillivolts
            if battery < low - tolerance || (high != Int.max && battery > high + tolerance) {
                return .failure(.cellsDoNotAddUp(batteryMillivolts: battery, cellSumMillivolts: cells.reduce(0, +)))
            }
        }
        let flags = BatteryFlags(
            allowsDischarge: record.flags.contains(.allowedToDischarge), allowsCharge: record.flags.contains(.allowedToCharge),
            raisesPrealarm: record.flags.contains(.lowVoltageWarning))
        let range = SmartLithiumRecord.temperatureRangeCelsius
        let temperatures = record.temperatureCelsius.map { [10 * min(max($0, range.lowerBound), range.upperBound)] } ?? []
        return .success(BatteryReading(battery: battery, flags: flags, cellMillivolts: cells, temperatureDecicelsius: temperatures))
    }
}
