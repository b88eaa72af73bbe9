/// Builds the advertisements a device sends, for tests and for `smallbmsd simulate` over a mock
/// BlueZ: the record's bytes encrypted with the same AES-128-CTR the decoders use.
public enum InstantReadoutEncoder {
    /// The manufacturer data (after the company id) of a Lithium Battery Smart sending `record`
    /// under `dataCounter` with `key`.
    public static func smartLithium(
        _ record: SmartLithiumRecord, key: InstantReadoutKey, dataCounter: UInt16, productID: UInt16, secondPrefixByte: UInt8 = 0x02
    ) throws(InstantReadoutError) -> [UInt8] {
        try InstantReadoutAdvertisement.sealing(
            plaintext: record.plaintext(), key: key, recordType: SmartLithiumRecord.recordType, dataCounter: dataCounter,
            productID: productID, secondPrefixByte: secondPrefixByte
        ).manufacturerData
    }

    /// The manufacturer data (after the company id) of a SmartShunt or BMV sending `record` under
    /// `dataCounter` with `key`.
    public static func batteryMonitor(
        _ record: BatteryMonitorRecord, key: InstantReadoutKey, dataCounter: UInt16, productID: UInt16, secondPrefixByte: UInt8 = 0x02
    ) throws(InstantReadoutError) -> [UInt8] {
        try InstantReadoutAdvertisement.sealing(
            plaintext: record.plaintext(), key: key, recordType: BatteryMonitorRecord.recordType, dataCounter: dataCounter,
            productID: productID, secondPrefixByte: secondPrefixByte
        ).manufacturerData
    }
}
