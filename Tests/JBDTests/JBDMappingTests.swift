import BMSCore
import JBD
import SerialBMS
import SerialBMSVectors
import Testing

private let pack = SimulatedPack(cellMillivolts: [3301, 3302, 3303, 3304], temperatureDecicelsius: [215, -52])

private func reading(protection: JBDProtection, charge: Bool = true, discharge: Bool = true) -> BatteryReading? {
    var responder = JBDResponder(pack: pack)
    responder.pack.chargeEnabled = charge
    responder.pack.dischargeEnabled = discharge
    responder.protection = protection
    var link = SimulatedLink(session: PollSession(protocol: .jbd, battery: 1, cells: 4), responder: responder)
    link.run(until: .milliseconds(900))
    return link.readings.first?.reading
}

@Suite struct JBDMappingTests {
    @Test func aHealthyPack_allowsBoth_andNeverRaisesPRE() throws {
        let found = try #require(reading(protection: []))
        #expect(found.flags == BatteryFlags(allowsDischarge: true, allowsCharge: true, raisesPrealarm: false))
        #expect(found.cellMillivolts == pack.cellMillivolts)
        #expect(found.temperatureDecicelsius == [215, -52])
    }

    @Test func theFETs_giveATDAndATC() throws {
        #expect(try #require(reading(protection: [], charge: false)).flags == BatteryFlags(allowsDischarge: true, allowsCharge: false))
        #expect(try #require(reading(protection: [], discharge: false)).flags == BatteryFlags(allowsDischarge: false, allowsCharge: true))
    }

    // behaviour.md, `jbd` row: which protection bit clears which flag.
    @Test(arguments: 0..<16)
    func eachProtectionBit_clearsATDOrATCAsTheTableSays(bit: Int) throws {
        let clearsATD: Set = [1, 3, 6, 7, 9, 10, 11, 12]
        let clearsATC: Set = [0, 2, 4, 5, 8, 11, 12]
        let found = try #require(reading(protection: JBDProtection(rawValue: 1 << bit)))
        #expect(found.flags.allowsDischarge == !clearsATD.contains(bit), "bit \(bit)")
        #expect(found.flags.allowsCharge == !clearsATC.contains(bit), "bit \(bit)")
        #expect(!found.flags.raisesPrealarm)
    }

    @Test func anEightCellPack_isReportedWithEightCells_notTheConfiguredFour() throws {
        var responder = JBDResponder(pack: pack)
        responder.pack.cellMillivolts += [3305, 3306, 3307, 3308]
        var link = SimulatedLink(session: PollSession(protocol: .jbd, battery: 1, cells: 4), responder: responder)
        link.run(until: .milliseconds(900))
        #expect(try #require(link.readings.first).reading.cellMillivolts.count == 8)
    }
}
