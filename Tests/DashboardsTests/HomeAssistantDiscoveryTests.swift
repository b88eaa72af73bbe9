import Foundation
import Testing
@testable import Dashboards

/// What Home Assistant is told: one device, its entities, their state topics.
@Suite("Home Assistant discovery of a status report")
struct HomeAssistantDiscoveryTests {
    private func document(_ message: MQTTMessage) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(message.payload.utf8)) as? [String: Any])
    }

    @Test func aSensorPerCellAndTemperature_aBinarySensorPerOutputAndTheFault() {
        let topics = HomeAssistantDiscovery().configMessages(for: SampleReports.bank()).map(\.topic)
        #expect(topics.filter { $0.hasPrefix("homeassistant/sensor/smallbmsd/b1_c") }.count == 4)
        #expect(topics.filter { $0.hasPrefix("homeassistant/sensor/smallbmsd/b1_t") }.count == 2)
        // Battery 2 has not reported: no entities until it has cells.
        #expect(!topics.contains { $0.contains("/b2_") })
        #expect(topics.contains("homeassistant/binary_sensor/smallbmsd/load/config"))
        #expect(topics.contains("homeassistant/binary_sensor/smallbmsd/led_temp_ovp/config"))
        #expect(topics.contains("homeassistant/binary_sensor/smallbmsd/fault/config"))
        #expect(!topics.contains { $0.contains("state_of_charge") })
        #expect(HomeAssistantDiscovery().configMessages(for: SampleReports.bank(withMonitor: true)).map(\.topic)
            .contains("homeassistant/sensor/smallbmsd/state_of_charge/config"))
    }

    @Test func aCellsDocument_namesItsStateTopic_unitAvailabilityAndTheOneDevice() throws {
        let messages = HomeAssistantDiscovery().configMessages(for: SampleReports.bank())
        let cell = try #require(messages.first { $0.topic == "homeassistant/sensor/smallbmsd/b1_c2_volts/config" })
        #expect(cell.retained)
        let fields = try document(cell)
        #expect(fields["state_topic"] as? String == "smallbmsd/battery/1/cell/2/volts")
        #expect(fields["unit_of_measurement"] as? String == "V")
        #expect(fields["device_class"] as? String == "voltage")
        #expect(fields["unique_id"] as? String == "smallbmsd_b1_c2_volts")
        #expect(fields["availability_topic"] as? String == "smallbmsd/availability")
        let device = try #require(fields["device"] as? [String: Any])
        #expect(device["identifiers"] as? [String] == ["smallbmsd"])
        #expect(device["sw_version"] as? String == "0.1.0")
        // Every entity belongs to the same device.
        let identifiers = try messages.map { try #require(document($0)["device"] as? [String: Any])["identifiers"] as? [String] }
        #expect(Set(identifiers.map { $0 ?? [] }) == [["smallbmsd"]])
    }

    @Test func anOutputsDocument_isABinarySensorWithOnOffPayloads() throws {
        let messages = HomeAssistantDiscovery().configMessages(for: SampleReports.bank())
        let load = try document(try #require(messages.first { $0.topic.hasSuffix("/load/config") }))
        #expect(load["name"] as? String == "LOAD")
        #expect(load["state_topic"] as? String == "smallbmsd/output/load")
        #expect(load["payload_on"] as? String == "ON")
        #expect(load["payload_off"] as? String == "OFF")
        #expect(load["unit_of_measurement"] == nil)
    }

    @Test func states_areTextInBaseUnits_retained() {
        let states = HomeAssistantDiscovery().stateMessages(for: SampleReports.bank(withMonitor: true))
        let byTopic = Dictionary(uniqueKeysWithValues: states.map { ($0.topic, $0.payload) })
        #expect(byTopic["smallbmsd/battery/1/cell/1/volts"] == "3.312")
        #expect(byTopic["smallbmsd/battery/1/temperature/2/celsius"] == "-5.5")
        #expect(byTopic["smallbmsd/output/load"] == "ON")
        #expect(byTopic["smallbmsd/output/charger"] == "OFF")
        #expect(byTopic["smallbmsd/fault"] == "ON")
        #expect(byTopic["smallbmsd/state_of_charge/percent"] == "64.5")
        #expect(byTopic.keys.allSatisfy { !$0.contains("battery/2/") })
        #expect(states.allSatisfy { $0.retained })
    }

    @Test func aTopicPrefixWithSlashes_givesANodeIDDiscoveryAccepts() throws {
        let discovery = HomeAssistantDiscovery(topicPrefix: "boat/house bank/", discoveryPrefix: "ha")
        #expect(discovery.topicPrefix == "boat/house bank")
        #expect(discovery.nodeID == "boat_house_bank")
        #expect(discovery.availabilityTopic == "boat/house bank/availability")
        let messages = discovery.configMessages(for: SampleReports.bank())
        #expect(messages.allSatisfy { $0.topic.hasPrefix("ha/") && $0.topic.split(separator: "/")[2] == "boat_house_bank" })
        let fault = try document(try #require(messages.first { $0.topic.hasSuffix("/fault/config") }))
        #expect(fault["unique_id"] as? String == "boat_house_bank_fault")
        #expect(discovery.availability(online: false) == MQTTMessage(topic: "boat/house bank/availability", payload: "offline"))
    }

    @Test func theSameReport_givesTheSameBytes() {
        let discovery = HomeAssistantDiscovery()
        #expect(discovery.configMessages(for: SampleReports.bank()) == discovery.configMessages(for: SampleReports.bank()))
    }
}
