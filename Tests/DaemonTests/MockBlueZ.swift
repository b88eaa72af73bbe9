import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private D-Bus daemon with python-dbusmock's `bluez5` template on it in the role of bluetoothd,
/// and a driver (MockBlueZ/driver.py) that adds adapters and devices and sends advertisements.
/// Point a client at ``address`` with `DBUS_SYSTEM_BUS_ADDRESS`.
///
/// Missing python3-dbusmock or dbus is an error naming the packages, so the tests fail, not skip.
final class MockBlueZ: @unchecked Sendable {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    let address: String
    private let python: String
    private let busDaemon = Process()
    private var bluetoothd: Process?
    private let driver = Process()
    private let driverInput = Pipe()
    private let driverOutput = Pipe()
    private var pendingOutput: [UInt8] = []
    /// The driver answers one command at a time; a feeder thread and the test share it.
    private let driverLock = NSLock()

    static var driverScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("MockBlueZ/driver.py").path
    }

    /// Starts the bus, bluetoothd's mock (unless `bluetoothd` is false) and the driver.
    init(bluetoothd startsBluetoothd: Bool = true) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/dbus-daemon") else {
            throw Missing(description: "dbus-daemon is missing: install the Debian package dbus (scripts/install-deps.sh does)")
        }
        guard let python = Self.pythonWithDBusMock() else {
            throw Missing(description: "python-dbusmock is missing: install the Debian package python3-dbusmock (scripts/install-deps.sh does)")
        }
        self.python = python
        let addressPipe = Pipe()
        busDaemon.executableURL = URL(fileURLWithPath: "/usr/bin/dbus-daemon")
        busDaemon.arguments = ["--session", "--nofork", "--print-address=1"]
        busDaemon.standardOutput = addressPipe
        busDaemon.standardError = FileHandle.nullDevice
        try busDaemon.run()
        var text: [UInt8] = []
        let handle = addressPipe.fileHandleForReading
        while !text.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            text.append(contentsOf: chunk)
        }
        address = String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard address.hasPrefix("unix:") else { throw Missing(description: "dbus-daemon printed no address: \(address)") }

        driver.executableURL = URL(fileURLWithPath: python)
        driver.arguments = [Self.driverScript]
        driver.environment = environment
        driver.standardInput = driverInput
        driver.standardOutput = driverOutput
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        if startsBluetoothd { try startBluetoothd() }
    }

    deinit { shutDown() }

    private var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["DBUS_SYSTEM_BUS_ADDRESS"] = address
        return env
    }

    /// Starts bluetoothd's mock (org.bluez, no adapter yet) and waits until it is on the bus.
    func startBluetoothd() throws {
        let mock = Process()
        mock.executableURL = URL(fileURLWithPath: python)
        mock.arguments = ["-m", "dbusmock", "--system", "-t", "bluez5"]
        mock.environment = environment
        mock.standardOutput = FileHandle.nullDevice
        mock.standardError = FileHandle.nullDevice
        try mock.run()
        bluetoothd = mock
        try command("wait-bluez 10")
    }

    /// Kills bluetoothd's mock as a crash would (its name leaves the bus).
    func killBluetoothd() {
        guard let mock = bluetoothd else { return }
        kill(mock.processIdentifier, SIGKILL)
        mock.waitUntilExit()
        bluetoothd = nil
    }

    /// One driver command (see driver.py); returns what follows "ok", throws on "error".
    @discardableResult
    func command(_ line: String) throws -> String {
        driverLock.lock()
        defer { driverLock.unlock() }
        driverInput.fileHandleForWriting.write(Data((line + "\n").utf8))
        let answer = try readLine(timeout: 15)
        guard answer.hasPrefix("ok") else { throw Missing(description: "mock BlueZ: \(line): \(answer)") }
        return String(answer.dropFirst(2)).trimmingCharacters(in: .whitespaces)
    }

    /// Adds adapter `name` (hci0) to the mock.
    func addAdapter(_ name: String = "hci0") throws { try command("adapter \(name)") }

    /// One advertisement of `address` with Victron manufacturer data `bytes` (after the company id).
    func advertise(_ address: String, _ bytes: [UInt8], adapter: String = "hci0") throws {
        try command("adv \(adapter) \(address) \(bytes.map { String(format: "%02x", $0) }.joined())")
    }

    /// Whether the mock adapter is discovering.
    func isDiscovering(_ adapter: String = "hci0") -> Bool { (try? command("discovering \(adapter)")) == "true" }

    /// Waits until the adapter discovers (a client called StartDiscovery); false after `timeout` seconds.
    func waitForDiscovery(_ adapter: String = "hci0", timeout: Double) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if isDiscovering(adapter) { return true }
            usleep(50_000)
        }
        return false
    }

    func shutDown() {
        killBluetoothd()
        for process in [driver, busDaemon] where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    private func readLine(timeout: Double) throws -> String {
        let descriptor = driverOutput.fileHandleForReading.fileDescriptor
        let end = Date().addingTimeInterval(timeout)
        while true {
            if let newline = pendingOutput.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pendingOutput[..<newline], as: UTF8.self)
                pendingOutput.removeSubrange(...newline)
                return line
            }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let wait = Int32(max(0, end.timeIntervalSinceNow) * 1000)
            guard poll(&entry, 1, wait) > 0 else { throw Missing(description: "mock BlueZ driver did not answer within \(timeout) s") }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = read(descriptor, &buffer, buffer.count)
            guard count > 0 else { throw Missing(description: "mock BlueZ driver exited") }
            pendingOutput.append(contentsOf: buffer[0..<count])
        }
    }

    /// Debian's python3 first (python3-dbusmock installs there), then whatever `python3` is on PATH.
    private static func pythonWithDBusMock() -> String? {
        var candidates = ["/usr/bin/python3"]
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append(String(folder) + "/python3")
        }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: candidate)
            probe.arguments = ["-c", "import dbusmock, dbus"]
            probe.standardOutput = FileHandle.nullDevice
            probe.standardError = FileHandle.nullDevice
            guard (try? probe.run()) != nil else { continue }
            probe.waitUntilExit()
            if probe.terminationStatus == 0 { return candidate }
        }
        return nil
    }
}
