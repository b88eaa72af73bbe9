import Foundation
import Devices
import EdgeIO
import Status
import Systemd
import M8Bus
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The real `smallbmsd run` binary on a pseudo-terminal, with simulated lines, a status file and
/// a NOTIFY_SOCKET listener, all in a fresh temporary folder.
final class DaemonHarness: @unchecked Sendable {
    // Used from one test at a time; the feeder thread only touches `bus` (a Mutex) and `master`.
    let folder: URL
    let configPath: String
    let statusPath: String
    let busLink: String
    let stderrPath: String
    /// The flight recorder's directory and the history database, in the folder (never /var/lib).
    let incidentsPath: String
    let historyPath: String
    /// Extra `[recorder]` lines (`window_s = 3`).
    let recorderLines: String
    private(set) var master: Int32 = -1
    private var slave: Int32 = -1
    private var monitorMaster: Int32 = -1
    private var monitorSlave: Int32 = -1
    private let notifySocket: Int32
    let process = Process()
    private let bus = Mutex(BusState())
    private var feeder: Thread?
    private let feeding = Atomic<Bool>(false)

    struct BusState {
        var cellMillivolts = [3300, 3300, 3300, 3300]
        var temperatureDecicelsius = [250]
        var sequence = 0
        var master: Int32 = -1
    }

    /// The binary next to the test bundle.
    static var executable: URL {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [folder, folder.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("smallbmsd")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/smallbmsd")
    }

    /// `thresholds` are extra `[thresholds]` lines; timings are short so the tests are too.
    init(thresholds: String = "", recorder: String = "", environment: [String: String] = [:]) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("smallbmsd-daemon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        configPath = folder.appendingPathComponent("smallbmsd.toml").path
        statusPath = folder.appendingPathComponent("status.json").path
        busLink = folder.appendingPathComponent("bus").path
        stderrPath = folder.appendingPathComponent("stderr.log").path
        incidentsPath = folder.appendingPathComponent("incidents").path
        historyPath = folder.appendingPathComponent("history.db").path
        recorderLines = recorder
        let notifyPath = folder.appendingPathComponent("notify").path

        notifySocket = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in notifyPath.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(notifySocket, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        precondition(bound == 0, "bind \(notifyPath): \(errno)")
        _ = fcntl(notifySocket, F_SETFL, fcntl(notifySocket, F_GETFL) | O_NONBLOCK)

        try openBus()
        try writeConfig(thresholds: thresholds)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        if environment["LD_PRELOAD"] != nil {
            // Spawned directly with libfaketime preloaded, the Swift binary sees no arguments
            // (measured: the same binary and environment through a shell see them); exec through sh.
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "exec \"$0\" \"$@\"", Self.executable.path, "run", "--config", configPath]
        } else {
            process.executableURL = Self.executable
            process.arguments = ["run", "--config", configPath]
        }
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = notifyPath
        env.removeValue(forKey: "WATCHDOG_PID")
        env.removeValue(forKey: "JOURNAL_STREAM")
        env.removeValue(forKey: "SMALLBMSD_SIMULATED_LINES_LOG")
        env.merge(environment) { $1 }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardInput = FileHandle.nullDevice
    }

    func writeConfig(thresholds: String, extra: String = "") throws {
        let text = """
            [bus]
            device = "\(busLink)"
            comms_timeout_s = 2
            [thresholds]
            confirm_s = 0.2
            recover_s = 1
            \(thresholds)
            [gpio]
            chip = "simulated"
            [gpio.led_load]
            [gpio.led_temp_ovp]
            [remote]
            mode = "always-on"
            [status]
            path = "\(statusPath)"
            [recorder]
            directory = "\(incidentsPath)"
            \(recorderLines)
            [history]
            path = "\(historyPath)"
            \(extra)
            """
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// A new pty behind the bus link (what an adapter unplugged and plugged back looks like).
    func openBus() throws {
        (master, slave) = try Self.openRawPty(linkedAt: busLink)
        bus.withLock { [master] in $0.master = master }
    }

    /// A raw pty whose slave side `link` points to; returns (master, slave).
    static func openRawPty(linkedAt link: String) throws -> (Int32, Int32) {
        var newMaster: Int32 = -1
        var newSlave: Int32 = -1
        guard openpty(&newMaster, &newSlave, nil, nil, nil) == 0 else { throw HardwareError("openpty failed") }
        var settings = termios()
        tcgetattr(newSlave, &settings)
        cfmakeraw(&settings)
        tcsetattr(newSlave, TCSANOW, &settings)
        var name = [CChar](repeating: 0, count: 256)
        ttyname_r(newSlave, &name, name.count)
        let slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        try? FileManager.default.removeItem(atPath: link)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: slavePath)
        return (newMaster, newSlave)
    }

    /// The path a `[vedirect] device` can name; ``openMonitor()`` puts a pty behind it.
    var monitorLink: String { folder.appendingPathComponent("vedirect").path }

    /// A pty behind ``monitorLink``, for a SmartShunt's VE.Direct text blocks (``sendToMonitor(_:)``).
    func openMonitor() throws {
        (monitorMaster, monitorSlave) = try Self.openRawPty(linkedAt: monitorLink)
    }

    /// Bytes on the VE.Direct port, as a monitor sends them.
    func sendToMonitor(_ bytes: [UInt8]) { send(bytes, to: monitorMaster) }

    /// Closes the pty: the daemon's reads fail as on an unplugged USB adapter.
    func closeBus() {
        bus.withLock { $0.master = -1 }
        close(slave)
        close(master)
        try? FileManager.default.removeItem(atPath: busLink)
    }

    func start() throws {
        try process.run()
    }

    /// One sentence a `interval` from battery 1 with the current cells, until `stopFeeding`.
    func startFeeding(interval: Double = 0.2) {
        feeding.store(true, ordering: .sequentiallyConsistent)
        let thread = Thread { [self] in
            while feeding.load(ordering: .sequentiallyConsistent) {
                sendCurrent()
                Thread.sleep(forTimeInterval: interval)
            }
        }
        feeder = thread
        thread.start()
    }

    func stopFeeding() {
        feeding.store(false, ordering: .sequentiallyConsistent)
        Thread.sleep(forTimeInterval: 0.3)
    }

    func setCells(_ cells: [Int]) { bus.withLock { $0.cellMillivolts = cells } }

    func sendCurrent() {
        let (bytes, fd): ([UInt8], Int32) = bus.withLock { state in
            let sentence = M8Sentence(
                battery: 1, sequence: state.sequence, flags: 0x03,
                cellMillivolts: state.cellMillivolts, temperatureDecicelsius: state.temperatureDecicelsius)
            state.sequence = (state.sequence + 1) % 256
            return (Array(SentenceEncoder.encode(sentence).utf8), state.master)
        }
        send(bytes, to: fd)
    }

    /// The same sentence again and again: a stuck adapter.
    func sendRepeat(sequence: Int) {
        let (bytes, fd): ([UInt8], Int32) = bus.withLock { state in
            let sentence = M8Sentence(
                battery: 1, sequence: sequence, flags: 0x03,
                cellMillivolts: state.cellMillivolts, temperatureDecicelsius: state.temperatureDecicelsius)
            return (Array(SentenceEncoder.encode(sentence).utf8), state.master)
        }
        send(bytes, to: fd)
    }

    func sendRaw(_ bytes: [UInt8]) { send(bytes, to: bus.withLock { $0.master }) }

    private func send(_ bytes: [UInt8], to fd: Int32) {
        guard fd >= 0 else { return }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 {
                if errno == EAGAIN || errno == EINTR { usleep(1000); continue }
                return
            }
            offset += written
        }
    }

    /// Every notification received so far (READY=1, WATCHDOG=1, STATUS=...), with arrival times.
    private(set) var notifications: [(at: Date, text: String)] = []

    func drainNotifications() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(notifySocket, &buffer, buffer.count, 0)
            if count <= 0 { return }
            let text = String(decoding: buffer[0..<count], as: UTF8.self)
            for line in text.split(separator: "\n") { notifications.append((Date(), String(line))) }
        }
    }

    /// Listens for `seconds`, stamping each notification as it arrives.
    func listen(for seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            drainNotifications()
            usleep(5_000)
        }
    }

    /// Waits until a notification satisfying `predicate` arrived.
    func waitForNotification(timeout: Double, _ predicate: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            drainNotifications()
            if notifications.contains(where: { predicate($0.text) }) { return true }
            usleep(20_000)
        }
        return false
    }

    /// The status file, parsed; nil while absent or mid-write.
    func status() -> StatusReport? {
        try? StatusFile.read(path: statusPath).report
    }

    /// Waits until the status satisfies `predicate`; returns the elapsed seconds, or nil on timeout.
    @discardableResult
    func waitForStatus(timeout: Double, _ predicate: (StatusReport) -> Bool) -> Double? {
        let start = Date()
        while Date().timeIntervalSince(start) < timeout {
            if let report = status(), predicate(report) { return Date().timeIntervalSince(start) }
            guard process.isRunning else { return nil }
            usleep(20_000)
        }
        return nil
    }

    /// Runs `smallbmsd status` against this daemon's config; returns its exit status and output.
    func statusCommand() throws -> (exitStatus: Int32, text: String) {
        let summary = Process()
        summary.executableURL = Self.executable
        summary.arguments = ["status", "--config", configPath]
        let pipe = Pipe()
        summary.standardOutput = pipe
        try summary.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        summary.waitUntilExit()
        return (summary.terminationStatus, text)
    }

    var standardError: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// SIGTERM and wait; returns the exit status.
    func stop(timeout: Double = 10) -> Int32? {
        stopFeeding()
        if process.isRunning { signal(SIGTERM) }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            signal(SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    deinit {
        feeding.store(false, ordering: .sequentiallyConsistent)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        close(notifySocket)
        if master >= 0 { close(master) }
        if slave >= 0 { close(slave) }
        if monitorMaster >= 0 { close(monitorMaster) }
        if monitorSlave >= 0 { close(monitorSlave) }
        try? FileManager.default.removeItem(at: folder)
    }
}

extension StatusReport {
    func state(_ output: String) -> String {
        switch output {
        case "load": outputs.load.state.rawValue
        case "charger": outputs.charger.state.rawValue
        case "prealarm": outputs.prealarm.state.rawValue
        case "led_load": outputs.ledLoad.state.rawValue
        default: outputs.ledTempOVP.state.rawValue
        }
    }
}
