@testable import VictronInstantReadout

/// A key for building advertisements in tests (the SmartShunt capture's, so it is a real one).
let testKey = try! InstantReadoutKey(hex: "aff4d0995b7d1e176c0c33ecb9e70dcd")

/// Sets the 7-bit raw value of cell `cell` (0-based) in a Smart Lithium payload, bit by bit from the
/// notes' table (bit 48 + 7i, LSB first), independently of the module's bit packing.
func settingCellRaw(_ raw: UInt8, cell: Int, in payload: [UInt8]) -> [UInt8] {
    var bytes = payload
    for bit in 0..<7 {
        let position = 48 + 7 * cell + bit
        let mask = UInt8(1) << UInt8(position % 8)
        if raw >> UInt8(bit) & 1 == 1 { bytes[position / 8] |= mask } else { bytes[position / 8] &= ~mask }
    }
    return bytes
}

/// The advertisement a battery with `key` sends for `payload` (16 decrypted bytes) under `counter`.
func advertisement(payload: [UInt8], counter: UInt16, key: InstantReadoutKey = testKey, recordType: UInt8 = 0x05) -> [UInt8] {
    try! InstantReadoutAdvertisement.sealing(
        plaintext: payload, key: key, recordType: recordType, dataCounter: counter, productID: 0xA3E5
    ).manufacturerData
}

/// A healthy 4-cell record: ATD and ATC set, cells 3.31 V, 13.24 V, 20 C.
let healthyFourCells = SmartLithiumRecord(
    flags: [.allowedToCharge, .allowedToDischarge], cellMillivolts: [3310, 3310, 3310, 3310, nil, nil, nil, nil],
    batteryMillivolts: 13240, balancer: .balanced, temperatureCelsius: 20)
