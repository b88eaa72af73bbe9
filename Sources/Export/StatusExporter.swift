import BMSCore
import Dashboards
import EdgeIO
import Status
import Systemd
#if canImport(Glibc)
import Glibc
#endif

/// `smallbmsd export --mqtt HOST`: follows the running daemon through its status file and
/// publishes it to an MQTT broker for Home Assistant (discovery, availability, states).
///
/// Why a second process reading the status file, and not a socket the daemon offers: the
/// protection daemon keeps `PrivateNetwork=yes` and `RestrictAddressFamilies=AF_UNIX`, holds no
/// listening socket, and never waits on a reader. Everything a dashboard shows is already in the
/// status file, replaced atomically every 5 s and at every output change, readable by any user.
/// A stalled, malicious or buggy exporter (or broker, or network) can therefore never slow the
/// loop that feeds the watchdog, and a bug in MQTT code cannot touch the lines. The cost is
/// latency: a change reaches the broker within the exporter's poll interval (1 s) of the file.
///
/// One thread and one `poll`: the broker's socket, signals (SIGTERM: `offline`, then a clean
/// disconnect) and a timer that rereads the file. A lost broker is retried after 1, 2, 4 ... up to
/// 30 s, said once in the journal when lost and once when back; each new connection republishes
/// discovery and every state (retained), so a restarted broker without persistence is whole again.
public final class StatusExporter {
    /// What `smallbmsd export` was told.
    public struct Options: Sendable {
        /// The broker's host name or address.
        public var host: String
        /// The broker's TCP port.
        public var port: Int
        /// The daemon's status file.
        public var statusPath: String
        /// Topics and discovery names.
        public var discovery: HomeAssistantDiscovery
        /// The MQTT client id (one per bank on a broker).
        public var clientID: String
        /// A user name and password when the broker wants them.
        public var username: String?
        /// The password that goes with ``username``.
        public var password: String?
        /// How often the status file is read.
        public var pollInterval: Duration = .seconds(1)
        /// A status file older than this means a hung daemon: availability goes `offline`.
        public var staleAfter: Duration = .seconds(15)
        /// The longest wait between two connection attempts.
        public var maximumRetryDelay: Duration = .seconds(30)

        /// Options with the defaults above.
        public init(
            host: String, port: Int, statusPath: String, discovery: HomeAssistantDiscovery, clientID: String,
            username: String? = nil, password: String? = nil
        ) {
            self.host = host
            self.port = port
            self.statusPath = statusPath
            self.discovery = discovery
            self.clientID = clientID
            self.username = username
            self.password = password
        }
    }

    private let options: Options
    private let log: any EventLog
    private let client: MQTTClient
    private var connection = Connection.idle(retryAt: .zero)
    private var retryDelay: Duration = .seconds(1)
    private var outageReported = false
    /// What this connection has published, topic by payload: only changes are sent again.
    private var published: [String: String] = [:]
    private var nextRead: Duration = .zero
    private var statusProblemReported: String?

    private enum Connection {
        case idle(retryAt: Duration)
        case connecting(since: Duration)
        case accepted
    }

    /// An exporter for `options`, logging to `log`; nothing is opened until ``run()``.
    public init(options: Options, log: any EventLog) throws(HardwareError) {
        self.options = options
        self.log = log
        client = try MQTTClient(
            clientID: options.clientID, will: options.discovery.availability(online: false),
            username: options.username, password: options.password)
    }

    /// Runs until SIGTERM or SIGINT; returns the exit status.
    public func run() -> Int32 {
        let signals: SignalDescriptor
        do {
            signals = try SignalDescriptor()
        } catch {
            log.log(.error, "cannot set up signal handling: \(error)")
            return 1
        }
        log.log(.notice, "exporting \(options.statusPath) to the MQTT broker \(options.host):\(options.port) under \(options.discovery.topicPrefix)/")
        while true {
            let now = Self.monotonicNow()
            if case .idle(let retryAt) = connection, now >= retryAt { startConnecting(at: now) }
            if case .connecting(let since) = connection, now - since > .seconds(10) {
                lose("no answer from the broker within 10 s", at: now)
            }
            var descriptors = [pollfd(fd: signals.descriptor, events: Int16(POLLIN), revents: 0)]
            if let interest = client.pollInterest {
                descriptors.append(pollfd(fd: interest.descriptor, events: interest.events, revents: 0))
            }
            _ = poll(&descriptors, nfds_t(descriptors.count), timeoutMilliseconds(now: now))
            if descriptors[0].revents != 0, signals.read().contains(where: { $0 == .stop }) {
                stop()
                return 0
            }
            let socket = descriptors.count > 1 ? descriptors[1].revents : 0
            let events = client.serve(
                readable: socket & Int16(POLLIN | POLLHUP | POLLERR) != 0, writable: socket & Int16(POLLOUT) != 0)
            let afterPoll = Self.monotonicNow()
            for event in events { handle(event, at: afterPoll) }
            if afterPoll >= nextRead {
                nextRead = afterPoll + options.pollInterval
                publishStatus()
            }
        }
    }

    // MARK: - The connection

    private func startConnecting(at now: Duration) {
        do {
            try client.connect(host: options.host, port: options.port, keepAliveSeconds: 30)
            connection = .connecting(since: now)
        } catch {
            retryLater(String(describing: error), at: now)
        }
    }

    private func handle(_ event: MQTTClient.Event, at now: Duration) {
        switch event {
        case .accepted:
            connection = .accepted
            retryDelay = .seconds(1)
            published = [:]
            log.log(.notice, outageReported
                ? "the MQTT broker \(options.host):\(options.port) is back: republishing discovery and states"
                : "connected to the MQTT broker \(options.host):\(options.port)")
            outageReported = false
            publishStatus()
        case .refused(let why):
            retryLater("the MQTT broker \(options.host):\(options.port) refused the connection: \(why) (check --username and --password-file)", at: now)
        case .lost(let why):
            lose(why, at: now)
        }
    }

    private func lose(_ why: String, at now: Duration) {
        retryLater("lost the MQTT broker \(options.host):\(options.port): \(why)", at: now)
    }

    private func retryLater(_ message: String, at now: Duration) {
        if !outageReported {
            log.log(.warning, "\(message); retrying every \(Int(retryDelay.secondsValue)) s up to \(Int(options.maximumRetryDelay.secondsValue)) s")
            outageReported = true
        }
        connection = .idle(retryAt: now + retryDelay)
        retryDelay = min(retryDelay * 2, options.maximumRetryDelay)
    }

    private func stop() {
        log.log(.notice, "stop requested: availability offline, disconnecting")
        if case .accepted = connection {
            try? client.publish(options.discovery.availability(online: false))
            client.disconnect(flushingFor: 1000)
        }
    }

    private func timeoutMilliseconds(now: Duration) -> Int32 {
        var wait = nextRead - now
        if case .idle(let retryAt) = connection { wait = min(wait, retryAt - now) }
        // At least every second: the client's keepalive and the connect timeout need turns.
        wait = max(.zero, min(wait, .seconds(1)))
        return Int32(wait.wholeMilliseconds)
    }

    // MARK: - The status file

    private func publishStatus() {
        guard case .accepted = connection else { return }
        let online: Bool
        var messages: [MQTTMessage] = []
        do {
            let (report, modified) = try StatusFile.read(path: options.statusPath)
            let judgement = StatusFreshness.judge(
                report, modifiedSecondsSinceEpoch: modified, nowSecondsSinceEpoch: Self.wallClockNow(),
                isAlive: Self.isAlive(pid:), staleAfter: options.staleAfter)
            online = judgement == nil
            reportStatusProblem(judgement)
            messages = options.discovery.configMessages(for: report) + options.discovery.stateMessages(for: report)
        } catch {
            online = false
            reportStatusProblem("\(error)")
        }
        messages.append(options.discovery.availability(online: online))
        for message in messages where published[message.topic] != message.payload {
            do {
                try client.publish(message)
                published[message.topic] = message.payload
            } catch {
                // The connection went away between poll and publish: the next serve says so.
                return
            }
        }
    }

    private func reportStatusProblem(_ problem: String?) {
        guard problem != statusProblemReported else { return }
        if let problem {
            log.log(.warning, "\(problem): Home Assistant shows the bank unavailable")
        } else if statusProblemReported != nil {
            log.log(.notice, "the daemon's status is current again: Home Assistant shows the bank available")
        }
        statusProblemReported = problem
    }

    // MARK: - Clocks and processes

    private static func monotonicNow() -> Duration { SystemClock.monotonic() }

    private static func wallClockNow() -> Double { SystemClock.wallClockSeconds() }

    private static func isAlive(pid: Int) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid_t(pid), 0) == 0 || errno == EPERM
    }
}
