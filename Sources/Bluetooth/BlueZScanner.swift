import EdgeIO

/// Listens to every Bluetooth LE advertisement's manufacturer data through BlueZ (bluetoothd)
/// over the D-Bus system bus, and keeps doing so whatever happens to bluetoothd or the adapter.
///
/// What it does (BlueZ `doc/org.bluez.Adapter.rst`, `Device.rst`): subscribes to
/// `NameOwnerChanged` for `org.bluez`, `InterfacesAdded`/`InterfacesRemoved` and
/// `PropertiesChanged`; asks `GetManagedObjects` for the adapters; on the chosen one (`hci0`, or
/// the first) sets the discovery filter `{Transport: "le", DuplicateData: true}` (so BlueZ passes
/// on every advertisement, not only changes) and calls `StartDiscovery`; then every `Device1`
/// `ManufacturerData` in a `PropertiesChanged` or `InterfacesAdded` is an ``Event/manufacturerData(address:companyID:bytes:)``.
///
/// The manufacturer data `GetManagedObjects` returns is NOT passed on: BlueZ keeps a device's
/// last data for as long as bluetoothd runs, so at start it may be hours old, and a reading must
/// be fresh.
///
/// It survives: bluetoothd restarting (the owner of `org.bluez` changes: everything starts
/// again), the adapter powered off and on (discovery restarts when `Powered` is back), an adapter
/// missing at start or removed (said once, then looked for every ``retryInterval``), the bus
/// itself lost (reconnects with back-off), a call bluetoothd never answers (``callTimeout``).
/// Each outage is journalled once, as an ``Event/journal(_:_:)``, and its end once.
///
/// Time is the caller's: every entry point takes `now` (CLOCK_MONOTONIC).
public final class BlueZScanner {
    /// What the scanner has to say to its owner.
    public enum Event: Sendable, Hashable {
        /// One advertisement's manufacturer data of the device at `address` (`AA:BB:CC:DD:EE:FF`),
        /// for company `companyID` (0x02E1 Victron): the bytes after the company id.
        case manufacturerData(address: String, companyID: UInt16, bytes: [UInt8])
        /// A journal line: a change of the scanner's state, worded for an installer.
        case journal(LogPriority, String)
    }

    /// How long a call to bluetoothd may stay unanswered before everything starts again.
    public static let callTimeout: Duration = .seconds(10)
    /// How often a missing bluetoothd or adapter, or a failed discovery start, is tried again.
    public static let retryInterval: Duration = .seconds(5)

    private static let bluez = "org.bluez"
    private static let adapterInterface = "org.bluez.Adapter1"
    private static let deviceInterface = "org.bluez.Device1"
    private static let objectManager = "org.freedesktop.DBus.ObjectManager"
    private static let properties = "org.freedesktop.DBus.Properties"

    private enum Call: Sendable, Hashable {
        case addMatch, managedObjects, discoveryFilter, startDiscovery
    }

    private enum Outage: Sendable, Hashable {
        case bus, bluetoothd, adapter, poweredOff, discovery
    }

    private let preferredAdapter: String
    private var connection: BusConnection?
    private var busRetryAt: Duration?
    private var busBackoff: Duration = .milliseconds(500)
    private var pending: [UInt64: (call: Call, deadline: Duration)] = [:]
    private var attemptAt: Duration?
    private var adapterPath: String?
    private var adapterPowered = false
    private var reported: Set<Outage> = []
    private var events: [Event] = []
    private var addressOfPath: [String: String] = [:]

    /// Whether discovery runs now: the adapter is there and powered, and `StartDiscovery` succeeded.
    public private(set) var isDiscovering = false
    /// Whether discovery has run at least once since ``start(at:)``.
    public private(set) var hasDiscovered = false
    /// Advertisements (manufacturer data entries) passed on, any company.
    public private(set) var advertisementsSeen = 0

    /// A scanner that prefers the adapter named `preferredAdapter` (`hci0`) and takes the first
    /// one BlueZ lists when that one is not there.
    public init(preferredAdapter: String = "hci0") {
        self.preferredAdapter = preferredAdapter
    }

    /// The adapter in use (`hci0`), or nil while none is.
    public var adapterName: String? { adapterPath.map { String($0.split(separator: "/").last ?? "") } }

    /// Whether the system bus is connected.
    public var isConnected: Bool { connection != nil }

    /// The descriptor and `poll` events to watch, or nil while the bus is not connected.
    public var pollInterest: (descriptor: Int32, events: Int16)? {
        guard let connection else { return nil }
        return (connection.descriptor, connection.events)
    }

    /// The next time the scanner needs ``serveDeadline(at:)``: sd-bus's own timeout, a retry, a call's timeout.
    public var nextDeadline: Duration? {
        var due: [Duration] = []
        if let connection {
            if let deadline = connection.deadline { due.append(deadline) }
            if let attemptAt { due.append(attemptAt) }
            due.append(contentsOf: pending.values.map(\.deadline))
        } else if let busRetryAt {
            due.append(busRetryAt)
        }
        return due.min()
    }

    /// Connects and starts looking for the adapter.
    public func start(at now: Duration) -> [Event] {
        connect(at: now)
        return takeEvents()
    }

    /// The bus descriptor is ready: reads and handles everything waiting.
    public func serve(at now: Duration) -> [Event] {
        drain(at: now)
        return takeEvents()
    }

    /// A deadline of ``nextDeadline`` has come.
    public func serveDeadline(at now: Duration) -> [Event] {
        guard let connection else {
            if let busRetryAt, now >= busRetryAt { connect(at: now) }
            return takeEvents()
        }
        if pending.values.contains(where: { now >= $0.deadline }) {
            pending.removeAll()
            report(.discovery, .warning, "bluetoothd did not answer within \(Self.callTimeout); asking again")
            restart(at: now)
        } else if let attemptAt, now >= attemptAt {
            self.attemptAt = nil
            if adapterPath != nil, adapterPowered, !isDiscovering { startDiscovery(at: now) } else { requestObjects(at: now) }
        }
        if self.connection === connection, let deadline = connection.deadline, now >= deadline { drain(at: now) }
        return takeEvents()
    }

    /// Closes the bus connection (the daemon stops). Discovery stops with it: BlueZ ends a client's
    /// discovery session when the client leaves the bus.
    public func stop() {
        connection?.close()
        connection = nil
        isDiscovering = false
    }

    // MARK: - Connection

    private func connect(at now: Duration) {
        do {
            let opened = try BusConnection()
            connection = opened
            busRetryAt = nil
            busBackoff = .milliseconds(500)
            if reported.remove(.bus) != nil { events.append(.journal(.notice, "the D-Bus system bus is back")) }
            for rule in [
                "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',interface='org.freedesktop.DBus',"
                    + "member='NameOwnerChanged',arg0='\(Self.bluez)'",
                "type='signal',sender='\(Self.bluez)',interface='\(Self.objectManager)'",
                "type='signal',sender='\(Self.bluez)',interface='\(Self.properties)',member='PropertiesChanged'",
            ] {
                pending[try opened.addMatch(rule)] = (.addMatch, now + Self.callTimeout)
            }
            requestObjects(at: now)
        } catch {
            lost(error, at: now)
        }
    }

    private func lost(_ error: HardwareError, at now: Duration) {
        connection?.close()
        connection = nil
        forgetBlueZ()
        busRetryAt = now + busBackoff
        busBackoff = min(busBackoff * 2, .seconds(5))
        report(.bus, .error, "\(error); the Bluetooth batteries count as silent, retrying")
    }

    private func forgetBlueZ() {
        pending.removeAll()
        attemptAt = nil
        adapterPath = nil
        adapterPowered = false
        isDiscovering = false
    }

    private func drain(at now: Duration) {
        guard let connection else { return }
        do {
            while self.connection === connection, let message = try connection.nextMessage() {
                handle(message, at: now)
            }
        } catch {
            lost(error, at: now)
        }
    }

    private func send(_ call: Call, path: String, interface: String, member: String, arguments: [BusValue] = [], at now: Duration) {
        guard let connection else { return }
        do {
            let cookie = try connection.call(destination: Self.bluez, path: path, interface: interface, member: member, arguments: arguments)
            pending[cookie] = (call, now + Self.callTimeout)
        } catch {
            lost(error, at: now)
        }
    }

    // MARK: - BlueZ

    private func restart(at now: Duration) {
        adapterPath = nil
        adapterPowered = false
        isDiscovering = false
        requestObjects(at: now)
    }

    private func requestObjects(at now: Duration) {
        attemptAt = nil
        send(.managedObjects, path: "/", interface: Self.objectManager, member: "GetManagedObjects", at: now)
    }

    private func startDiscovery(at now: Duration) {
        guard let adapterPath else { return }
        attemptAt = nil
        let filter = BusValue.stringVariantDictionary([("Transport", .string("le")), ("DuplicateData", .boolean(true))])
        send(.discoveryFilter, path: adapterPath, interface: Self.adapterInterface, member: "SetDiscoveryFilter", arguments: [filter], at: now)
        send(.startDiscovery, path: adapterPath, interface: Self.adapterInterface, member: "StartDiscovery", at: now)
    }

    private func handle(_ message: BusMessage, at now: Duration) {
        if message.isLocalDisconnect {
            lost(HardwareError("the D-Bus system bus closed the connection"), at: now)
            return
        }
        switch message.kind {
        case .methodReturn, .error:
            guard let cookie = message.replyCookie, let call = pending.removeValue(forKey: cookie)?.call else { return }
            if message.kind == .error {
                failed(call, name: message.errorName ?? "", text: message.errorMessage ?? "", at: now)
            } else {
                answered(call, message, at: now)
            }
        case .signal:
            signal(message, at: now)
        case .methodCall:
            return
        }
    }

    private func answered(_ call: Call, _ message: BusMessage, at now: Duration) {
        switch call {
        case .addMatch, .discoveryFilter:
            return
        case .managedObjects:
            if reported.remove(.bluetoothd) != nil { events.append(.journal(.notice, "bluetoothd is on the system bus")) }
            adopt(objects: message.body.first, at: now)
        case .startDiscovery:
            discoveryRuns()
        }
    }

    private func failed(_ call: Call, name: String, text: String, at now: Duration) {
        let detail = text.isEmpty ? name : "\(name): \(text)"
        switch call {
        case .addMatch:
            report(.bus, .error, "the D-Bus daemon refused a signal subscription (\(detail)); Bluetooth readings may not arrive")
        case .managedObjects:
            attemptAt = now + Self.retryInterval
            if name.hasSuffix("AccessDenied") {
                report(.bluetoothd, .error, "not allowed to talk to bluetoothd (\(detail)): is smallbmsd's user in group bluetooth? The Bluetooth batteries count as silent, retrying")
            } else {
                report(.bluetoothd, .error, "bluetoothd (org.bluez) is not on the system bus (\(detail)): is it running (systemctl status bluetooth)? The Bluetooth batteries count as silent, retrying")
            }
        case .discoveryFilter:
            // Without DuplicateData BlueZ passes on changed data only; Victron's counter changes anyway.
            events.append(.journal(.warning, "bluetoothd refused the discovery filter (\(detail)); discovering without it"))
        case .startDiscovery:
            if name.hasSuffix("InProgress") {
                // Already discovering for this client: fine.
                discoveryRuns()
                return
            }
            isDiscovering = false
            attemptAt = now + Self.retryInterval
            report(.discovery, .error, "cannot start Bluetooth discovery on \(adapterName ?? "the adapter") (\(detail)): check `bluetoothctl show` (Powered: yes) and `rfkill list`; the Bluetooth batteries count as silent, retrying")
        }
    }

    private func discoveryRuns() {
        let wasRunning = isDiscovering
        isDiscovering = true
        hasDiscovered = true
        reported.remove(.discovery)
        reported.remove(.poweredOff)
        reported.remove(.adapter)
        if !wasRunning {
            events.append(.journal(.notice, "Bluetooth discovery runs on \(adapterName ?? "the adapter") (LE, every advertisement)"))
        }
    }

    private func adopt(objects: BusValue?, at now: Duration) {
        var adapters: [String: Bool] = [:]
        for (pathValue, interfaces) in objects?.dictionaryEntries ?? [] {
            guard let path = pathValue.text else { continue }
            if let adapter = interfaces[Self.adapterInterface] {
                adapters[path] = adapter["Powered"]?.boolValue ?? false
            }
            if let device = interfaces[Self.deviceInterface], let address = device["Address"]?.unwrapped.text {
                addressOfPath[path] = address.uppercased()
            }
        }
        let preferred = "/org/bluez/" + preferredAdapter
        guard let chosen = adapters[preferred] != nil ? preferred : adapters.keys.sorted().first else {
            adapterPath = nil
            isDiscovering = false
            attemptAt = now + Self.retryInterval
            report(.adapter, .error, "no Bluetooth adapter: bluetoothd lists none (is the Pi's Bluetooth enabled, no dtoverlay=disable-bt, `bluetoothctl list`?); the Bluetooth batteries count as silent, waiting for one")
            return
        }
        adapterPath = chosen
        adapterPowered = adapters[chosen] ?? false
        if reported.remove(.adapter) != nil { events.append(.journal(.notice, "Bluetooth adapter \(adapterName ?? chosen) is here")) }
        if adapterPowered {
            startDiscovery(at: now)
        } else {
            isDiscovering = false
            attemptAt = now + Self.retryInterval
            report(.poweredOff, .warning, "Bluetooth adapter \(adapterName ?? chosen) is powered off (`bluetoothctl power on`, `rfkill unblock bluetooth`); the Bluetooth batteries count as silent until it is on")
        }
    }

    private func signal(_ message: BusMessage, at now: Duration) {
        if message.isSignal("org.freedesktop.DBus", "NameOwnerChanged") {
            guard message.body.count == 3, message.body[0].text == Self.bluez else { return }
            if message.body[2].text?.isEmpty ?? true {
                forgetBlueZ()
                attemptAt = now + Self.retryInterval
                report(.bluetoothd, .warning, "bluetoothd left the system bus; the Bluetooth batteries count as silent until it is back")
            } else {
                if reported.remove(.bluetoothd) != nil { events.append(.journal(.notice, "bluetoothd is back on the system bus; starting discovery again")) }
                restart(at: now)
            }
        } else if message.isSignal(Self.objectManager, "InterfacesAdded") {
            guard message.body.count == 2, let path = message.body[0].text else { return }
            if message.body[1][Self.adapterInterface] != nil, adapterPath == nil {
                restart(at: now)
            }
            if let device = message.body[1][Self.deviceInterface] {
                if let address = device["Address"]?.unwrapped.text { addressOfPath[path] = address.uppercased() }
                deviceProperties(path: path, device)
            }
        } else if message.isSignal(Self.objectManager, "InterfacesRemoved") {
            guard message.body.count == 2, let path = message.body[0].text else { return }
            let interfaces = message.body[1].arrayItems?.compactMap(\.text) ?? []
            if path == adapterPath, interfaces.contains(Self.adapterInterface) {
                let name = adapterName ?? path
                adapterPath = nil
                adapterPowered = false
                isDiscovering = false
                attemptAt = now + Self.retryInterval
                report(.adapter, .error, "Bluetooth adapter \(name) was removed; the Bluetooth batteries count as silent, waiting for an adapter")
            }
            if interfaces.contains(Self.deviceInterface) { addressOfPath[path] = nil }
        } else if message.isSignal(Self.properties, "PropertiesChanged") {
            guard message.body.count >= 2, let interface = message.body[0].text, let path = message.path else { return }
            if interface == Self.deviceInterface {
                deviceProperties(path: path, message.body[1])
            } else if interface == Self.adapterInterface, path == adapterPath {
                adapterProperties(message.body[1], at: now)
            }
        }
    }

    private func adapterProperties(_ changed: BusValue, at now: Duration) {
        if let powered = changed["Powered"]?.boolValue, powered != adapterPowered {
            adapterPowered = powered
            if powered {
                if reported.remove(.poweredOff) != nil { events.append(.journal(.notice, "Bluetooth adapter \(adapterName ?? "") is powered on; starting discovery")) }
                startDiscovery(at: now)
            } else {
                isDiscovering = false
                report(.poweredOff, .warning, "Bluetooth adapter \(adapterName ?? "") was powered off (`bluetoothctl power on`, `rfkill list`); the Bluetooth batteries count as silent until it is on")
            }
        }
        if changed["Discovering"]?.boolValue == false, isDiscovering, adapterPowered {
            // Someone (or bluetoothd itself) ended discovery while it is powered: start it again shortly.
            isDiscovering = false
            attemptAt = now + .seconds(1)
            report(.discovery, .warning, "Bluetooth discovery on \(adapterName ?? "the adapter") stopped; starting it again")
        }
    }

    private func deviceProperties(path: String, _ properties: BusValue) {
        guard let data = properties["ManufacturerData"]?.dictionaryEntries else { return }
        guard let address = addressOfPath[path] ?? Self.address(fromDevicePath: path) else { return }
        for (key, value) in data {
            guard case .uint16(let company) = key.unwrapped, let bytes = value.byteArray else { continue }
            advertisementsSeen += 1
            events.append(.manufacturerData(address: address, companyID: company, bytes: bytes))
        }
    }

    /// `AA:BB:CC:DD:EE:FF` from BlueZ's device path `/org/bluez/hci0/dev_AA_BB_CC_DD_EE_FF`.
    public static func address(fromDevicePath path: String) -> String? {
        guard let last = path.split(separator: "/").last, last.hasPrefix("dev_") else { return nil }
        let parts = last.dropFirst(4).split(separator: "_")
        guard parts.count == 6, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isHexDigit) }) else { return nil }
        return parts.joined(separator: ":").uppercased()
    }

    private func report(_ outage: Outage, _ priority: LogPriority, _ text: String) {
        guard reported.insert(outage).inserted else { return }
        events.append(.journal(priority, text))
    }

    private func takeEvents() -> [Event] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }
}
