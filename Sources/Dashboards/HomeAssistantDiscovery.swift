import BMSCore
import Status
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `smallbmsd export` publishes for Home Assistant's MQTT discovery: one device, a sensor
/// per cell and per temperature sensor, a binary sensor per output and one for a fault, and an
/// availability topic every entity names.
///
/// Topics (with the default prefixes):
///
/// ```
/// homeassistant/sensor/smallbmsd/b1_c2_volts/config      {"name":"Battery 1 cell 2", ...}   (retained)
/// homeassistant/binary_sensor/smallbmsd/load/config      {"name":"LOAD", ...}              (retained)
/// smallbmsd/availability                                  online | offline                  (retained; offline is the will)
/// smallbmsd/battery/1/cell/2/volts                        3.312
/// smallbmsd/battery/1/temperature/1/celsius               21.5
/// smallbmsd/output/load                                   ON | OFF
/// smallbmsd/fault                                         ON | OFF
/// smallbmsd/state_of_charge/percent                       64.5      (with a VE.Direct monitor)
/// ```
///
/// Pure: a report in, messages out. The exporter decides when to send them.
public struct HomeAssistantDiscovery: Sendable {
    /// The root of the state topics (`--topic-prefix`), without a trailing slash.
    public let topicPrefix: String
    /// Home Assistant's discovery prefix (`homeassistant` unless changed in its MQTT settings).
    public let discoveryPrefix: String
    /// The node id in discovery topics and the stem of every unique id: the topic prefix with
    /// anything but letters, digits, `_` and `-` turned into `_` (discovery allows no more).
    public let nodeID: String

    /// Discovery for state topics under `topicPrefix`, announced under `discoveryPrefix`.
    public init(topicPrefix: String = "smallbmsd", discoveryPrefix: String = "homeassistant") {
        var prefix = topicPrefix
        while prefix.hasSuffix("/") { prefix.removeLast() }
        self.topicPrefix = prefix
        self.discoveryPrefix = discoveryPrefix
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
        nodeID = String(prefix.map { allowed.contains($0) ? $0 : "_" })
    }

    /// `<prefix>/availability`: `online` while the daemon runs and its status is fresh.
    public var availabilityTopic: String { "\(topicPrefix)/availability" }

    /// The availability message (retained); `online: false` is also the connection's will.
    public func availability(online: Bool) -> MQTTMessage {
        MQTTMessage(topic: availabilityTopic, payload: online ? "online" : "offline")
    }

    /// Every discovery document (retained) for the entities `report` has: cells and temperature
    /// sensors only once a battery has reported them, the state of charge only with a monitor.
    public func configMessages(for report: StatusReport) -> [MQTTMessage] {
        var messages: [MQTTMessage] = []
        for battery in report.batteries {
            for cell in battery.cellsMillivolts.indices.map({ $0 + 1 }) {
                messages.append(config(.sensor, "b\(battery.battery)_c\(cell)_volts", Entity(
                    name: "Battery \(battery.battery) cell \(cell)", stateTopic: cellTopic(battery.battery, cell),
                    deviceClass: "voltage", unit: "V", stateClass: "measurement", precision: 3), version: report.version))
            }
            for sensor in battery.temperaturesDecicelsius.indices.map({ $0 + 1 }) {
                messages.append(config(.sensor, "b\(battery.battery)_t\(sensor)_celsius", Entity(
                    name: "Battery \(battery.battery) temperature \(sensor)",
                    stateTopic: temperatureTopic(battery.battery, sensor),
                    deviceClass: "temperature", unit: "°C", stateClass: "measurement", precision: 1), version: report.version))
            }
        }
        for output in Output.allCases {
            messages.append(config(.binarySensor, output.rawValue, Entity(
                name: output.displayName, stateTopic: outputTopic(output), deviceClass: "power",
                payloadOn: "ON", payloadOff: "OFF"), version: report.version))
        }
        messages.append(config(.binarySensor, "fault", Entity(
            name: "Fault", stateTopic: "\(topicPrefix)/fault", deviceClass: "problem", payloadOn: "ON", payloadOff: "OFF"), version: report.version))
        if report.monitor != nil {
            messages.append(config(.sensor, "state_of_charge", Entity(
                name: "State of charge", stateTopic: stateOfChargeTopic, deviceClass: "battery", unit: "%",
                stateClass: "measurement", precision: 1), version: report.version))
        }
        return messages
    }

    /// The state of every entity `report` has (retained, so a restarted Home Assistant has them).
    /// A cell without data has no message: its last value stays, and availability says whether it is current.
    public func stateMessages(for report: StatusReport) -> [MQTTMessage] {
        var messages: [MQTTMessage] = []
        for battery in report.batteries {
            for (index, millivolts) in battery.cellsMillivolts.enumerated() {
                messages.append(MQTTMessage(
                    topic: cellTopic(battery.battery, index + 1), payload: FixedPointText.text(millivolts, decimals: 3)))
            }
            for (index, decicelsius) in battery.temperaturesDecicelsius.enumerated() {
                messages.append(MQTTMessage(
                    topic: temperatureTopic(battery.battery, index + 1), payload: FixedPointText.text(decicelsius, decimals: 1)))
            }
        }
        for output in Output.allCases {
            messages.append(MQTTMessage(topic: outputTopic(output), payload: report.outputs[output].state == .on ? "ON" : "OFF"))
        }
        messages.append(MQTTMessage(topic: "\(topicPrefix)/fault", payload: report.fault == nil ? "OFF" : "ON"))
        if let percent = report.monitor?.stateOfChargePercent {
            messages.append(MQTTMessage(topic: stateOfChargeTopic, payload: FixedPointText.text(Int((percent * 10).rounded()), decimals: 1)))
        }
        return messages
    }

    // MARK: - Topics and documents

    private func cellTopic(_ battery: Int, _ cell: Int) -> String { "\(topicPrefix)/battery/\(battery)/cell/\(cell)/volts" }
    private func temperatureTopic(_ battery: Int, _ sensor: Int) -> String {
        "\(topicPrefix)/battery/\(battery)/temperature/\(sensor)/celsius"
    }
    private func outputTopic(_ output: Output) -> String { "\(topicPrefix)/output/\(output.rawValue)" }
    private var stateOfChargeTopic: String { "\(topicPrefix)/state_of_charge/percent" }

    private enum Component: String {
        case sensor
        case binarySensor = "binary_sensor"
    }

    private func config(_ component: Component, _ objectID: String, _ entity: Entity, version: String) -> MQTTMessage {
        var document = entity
        document.uniqueID = "\(nodeID)_\(objectID)"
        document.availabilityTopic = availabilityTopic
        document.device = Device(
            identifiers: [nodeID], name: nodeID == "smallbmsd" ? "smallbmsd" : "smallbmsd \(nodeID)", softwareVersion: version)
        let encoder = JSONEncoder()
        // Sorted keys: the same report gives the same bytes, so an unchanged config is not re-sent.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let payload = (try? encoder.encode(document)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return MQTTMessage(topic: "\(discoveryPrefix)/\(component.rawValue)/\(nodeID)/\(objectID)/config", payload: payload)
    }

    /// The fields of a discovery document this exporter uses (Home Assistant's names).
    private struct Entity: Encodable {
        var name: String
        var stateTopic: String
        var deviceClass: String
        var unit: String?
        var stateClass: String?
        var precision: Int?
        var payloadOn: String?
        var payloadOff: String?
        var uniqueID = ""
        var availabilityTopic = ""
        var device = Device(identifiers: [], name: "")

        init(
            name: String, stateTopic: String, deviceClass: String, unit: String? = nil, stateClass: String? = nil,
            precision: Int? = nil, payloadOn: String? = nil, payloadOff: String? = nil
        ) {
            self.name = name
            self.stateTopic = stateTopic
            self.deviceClass = deviceClass
            self.unit = unit
            self.stateClass = stateClass
            self.precision = precision
            self.payloadOn = payloadOn
            self.payloadOff = payloadOff
        }

        enum CodingKeys: String, CodingKey {
            case name
            case stateTopic = "state_topic"
            case deviceClass = "device_class"
            case unit = "unit_of_measurement"
            case stateClass = "state_class"
            case precision = "suggested_display_precision"
            case payloadOn = "payload_on"
            case payloadOff = "payload_off"
            case uniqueID = "unique_id"
            case availabilityTopic = "availability_topic"
            case device
        }
    }

    /// The one device every entity belongs to.
    private struct Device: Encodable {
        var identifiers: [String]
        var name: String
        var manufacturer = "smallbmsd"
        var model = "smallbmsd battery protection"
        var softwareVersion: String?

        enum CodingKeys: String, CodingKey {
            case identifiers, name, manufacturer, model
            case softwareVersion = "sw_version"
        }
    }
}
