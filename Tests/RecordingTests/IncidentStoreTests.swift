import BMSCore
import Foundation
import Pipeline
import Recording
import Testing

@Suite("Incident store: the directory and its size bound")
struct IncidentStoreTests {
    private func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("smallbmsd-incidents-\(UUID().uuidString)").path
        return path
    }

    @Test func overTheBound_oldestRemovedFirst_newestAlwaysKept() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = IncidentStore(directory: directory, maxBytes: 25_000)
        let block = [UInt8](repeating: UInt8(ascii: "x"), count: 10_000)
        try store.write(name: "20261201T000000Z-load-under-voltage.log", bytes: block)
        try store.write(name: "20261202T000000Z-load-under-voltage.log", bytes: block)
        #expect(store.list().count == 2)
        let (_, removed) = try store.write(name: "20261203T000000Z-charger-over-voltage.log", bytes: block)
        #expect(removed == ["20261201T000000Z-load-under-voltage.log"])
        #expect(store.list().map(\.name) == ["20261202T000000Z-load-under-voltage.log", "20261203T000000Z-charger-over-voltage.log"])
        #expect(store.list().reduce(0) { $0 + $1.bytes } <= 25_000)
        // One incident larger than the whole bound: the others go, it stays.
        try store.write(name: "20261204T000000Z-prealarm-prealarm.log", bytes: block + block + block)
        #expect(store.list().map(\.name) == ["20261204T000000Z-prealarm-prealarm.log"])
        // No temporary file is left behind.
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(files.count == 1)
    }

    @Test func sameNameTwice_secondGetsANumber_neitherIsLost() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = IncidentStore(directory: directory, maxBytes: 1_000_000)
        let first = try store.write(name: "20261201T000000Z-load-remote.log", bytes: [1])
        let second = try store.write(name: "20261201T000000Z-load-remote.log", bytes: [2])
        #expect(first.name == "20261201T000000Z-load-remote.log")
        #expect(second.name == "20261201T000000Z-load-remote-2.log")
        #expect(store.list().count == 2)
    }

    @Test func missingParent_errorNamesTheDirectory() {
        let store = IncidentStore(directory: "/nonexistent-smallbmsd/incidents", maxBytes: 1000)
        do {
            try store.write(name: "a.log", bytes: [1])
            Issue.record("written into a directory that cannot exist")
        } catch {
            #expect("\(error)".contains("/nonexistent-smallbmsd/incidents"))
            #expect("\(error)".contains("[recorder] directory"))
        }
    }

    @Test func header_ofAWrittenIncident_isReadFromTheDirectory() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = IncidentStore(directory: directory, maxBytes: 1_000_000)
        let trip = OutputChange(output: .charger, state: .off, at: .seconds(5), reason: Reason(rule: .temperature, text: "battery 1 4.0 C < 5.0 C", battery: 1))
        let incident = Incident(trips: [trip], wallClockSeconds: 1_796_000_000, start: .origin, end: .seconds(6), remoteAtStart: nil, stateOfChargeAtStart: nil, inputs: PackedInputs())
        try store.write(name: incident.fileName, bytes: IncidentFile.render(incident, settingsText: "[bus]\nbatteries = 1\n"))
        let header = try #require(store.header(of: incident.fileName))
        #expect(header.reason == "CHARGER off: battery 1 4.0 C < 5.0 C")
        #expect(header.settingsText == "[bus]\nbatteries = 1\n")
    }
}
