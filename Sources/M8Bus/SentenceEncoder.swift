/// Writes sentences in the adapter's wire format, for the simulator and for tests.
///
/// The encoder does not validate: it writes whatever it is given, so it can also produce
/// out-of-range sentences that the decoder must reject.
public struct SentenceEncoder {
    /// `$M8B,...*CRC\r\n` for `s`, with flags as two upper-case hex digits and the CRC as four,
    /// exactly the form of the examples in the protocol document.
    public static func encode(_ s: M8Sentence) -> String {
        var body = "M8B,\(s.battery),\(s.sequence),\(hex(UInt(s.flags), digits: 2)),"
        body += "\(s.cellMillivolts.count)"
        for millivolts in s.cellMillivolts {
            body += ",\(millivolts)"
        }
        body += ",\(s.temperatureDecicelsius.count)"
        for decicelsius in s.temperatureDecicelsius {
            body += ",\(decicelsius)"
        }
        return frame(body: body)
    }

    /// Wraps any body (for example `M8X,1,2`) as `$<body>*<CRC>\r\n`, so tests and the simulator
    /// can make foreign sentences and deliberately malformed ones that still carry a good CRC.
    public static func frame(body: String) -> String {
        "$\(body)*\(hex(UInt(CRC16.ccittFalse(body.utf8)), digits: 4))\r\n"
    }

    /// Fixed-width upper-case hex; the protocol demands exact widths, which `String(_:radix:)`
    /// alone does not give.
    static func hex(_ value: UInt, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
