import JBD
import SerialBMS
import Testing

private let pack = SimulatedPack(cellMillivolts: [3350, 3340, 3360, 3330, 3355, 3345, 3335, 3365], temperatureDecicelsius: [200, 210, -100], chargeEnabled: false)

@Suite struct JBDResponderTests {
    @Test func itsReplies_decodeWithTheDecoder_toThePack() {
        var responder = JBDResponder(pack: pack)
        responder.protection = [.chargeOverTemperature]
        var decoder = JBDDecoder()
        var found: [JBDFrame] = []
        decoder.feed(responder.receive(JBDRequest.read(0x03) + JBDRequest.read(0x04))) { found.append($0) }
        #expect(found == [.basicInfo(responder.basicInfo), .cellVoltages(JBDCellVoltages(cellMillivolts: pack.cellMillivolts))])
        guard case .basicInfo(let info) = found.first else { return }
        #expect(info.temperatureDecicelsius == pack.temperatureDecicelsius)
        #expect(info.protection == [.chargeOverTemperature])
        #expect(!info.chargeFETOn && info.dischargeFETOn)
        #expect(info.cellCount == 8)
    }

    @Test func garbageAndUnknownRegisters_getNoAnswer() {
        var responder = JBDResponder(pack: pack)
        #expect(responder.receive([0x00, 0xDD, 0xA5, 0x03, 0x00, 0x00, 0x00, 0x77]).isEmpty)
        #expect(responder.receive(JBDRequest.read(0x05)).isEmpty)
        #expect(responder.receive(JBDRequest.reply(0x03, data: [])).isEmpty)
        // After all that, a request split in two still gets its answer.
        let request = JBDRequest.read(0x04)
        #expect(responder.receive(request.prefix(3)).isEmpty)
        #expect(responder.receive(request.dropFirst(3)) == responder.reply(to: 0x04))
    }
}
