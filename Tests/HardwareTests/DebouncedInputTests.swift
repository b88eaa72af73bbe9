import Glibc
import Synchronization
import Testing

@testable import Devices
@testable import EdgeIO
@testable import Status
@testable import Systemd

/// A stand-in for a libgpiod 1 event line: a pipe carries the "edges", a mutex holds the level.
private final class FakeEdges: EdgeSource, Sendable {
    let edgeDescriptor: Int32
    private let writeDescriptor: Int32
    private let level: Mutex<Bool>
    let releases = Mutex(0)

    init(level: Bool) throws {
        let ends = try NonBlockingPipe.make(purpose: "test edges")
        edgeDescriptor = ends.read
        writeDescriptor = ends.write
        self.level = Mutex(level)
    }

    /// The line changes level: one edge event.
    func edge(to newLevel: Bool) {
        level.withLock { $0 = newLevel }
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }

    func drainEdges() throws(HardwareError) { try NonBlockingPipe.drain(edgeDescriptor) }
    func readLevel() throws(HardwareError) -> Bool { level.withLock { $0 } }
    func release() {
        releases.withLock { $0 += 1 }
        close(edgeDescriptor)
        close(writeDescriptor)
    }
}

@Suite("Software debounce of the remote input (libgpiod 1)")
struct DebouncedInputTests {
    @Test("a bouncing contact wakes the owner once, after the line has been quiet for the period")
    func settlesAfterQuiet() throws {
        let edges = try FakeEdges(level: false)
        let input = try DebouncedInput(source: edges, debounceMilliseconds: 80, label: "test")
        defer { input.release() }
        #expect(try !input.level())

        for level in [true, false, true, false] {
            edges.edge(to: level)
            usleep(3_000)
        }
        // Taken before the last edge: the debouncer cannot see that edge, and so start its
        // period, any earlier.
        let lastEdge = GPIOTestSupport.monotonicNanoseconds()
        edges.edge(to: true)
        #expect(!GPIOTestSupport.pollsReadable(input.notifyDescriptor, within: 20), "still bouncing: no wake-up yet")
        #expect(try !input.level(), "the old level holds until the new one has held for the period")

        #expect(GPIOTestSupport.pollsReadable(input.notifyDescriptor, within: 2000))
        #expect(GPIOTestSupport.monotonicNanoseconds() - lastEdge >= 80_000_000)
        #expect(try input.level())
        try input.drainNotifications()
        #expect(!GPIOTestSupport.pollsReadable(input.notifyDescriptor, within: 0))
    }

    @Test("a bounce that ends at the old level wakes nobody")
    func glitchIgnored() throws {
        let edges = try FakeEdges(level: true)
        let input = try DebouncedInput(source: edges, debounceMilliseconds: 30, label: "test")
        defer { input.release() }
        edges.edge(to: false)
        edges.edge(to: true)
        #expect(!GPIOTestSupport.pollsReadable(input.notifyDescriptor, within: 200))
        #expect(try input.level())
    }

    @Test("a period of 0 passes every settled edge at once")
    func noDebounce() throws {
        let edges = try FakeEdges(level: true)
        let input = try DebouncedInput(source: edges, debounceMilliseconds: 0, label: "test")
        defer { input.release() }
        edges.edge(to: false)
        #expect(GPIOTestSupport.pollsReadable(input.notifyDescriptor, within: 2000))
        #expect(try !input.level())
    }

    @Test("release gives the line back once; reads then fail")
    func release() throws {
        let edges = try FakeEdges(level: true)
        let input = try DebouncedInput(source: edges, debounceMilliseconds: 50, label: "test")
        edges.edge(to: false)
        input.release()
        input.release()
        #expect(edges.releases.withLock { $0 } == 1)
        #expect(throws: HardwareError.self) { try input.level() }
        #expect(throws: HardwareError.self) { try input.drainNotifications() }
    }
}

@Suite("GPIO messages")
struct GPIOMessageTests {
    @Test("line not found names the line, the key and the chip, and says how to check")
    func lineNotFound() {
        let error = GPIOMessage.lineNotFound("GPIO99", key: GPIOMessage.key(.load), chip: "gpiochip0")
        #expect(error.message
            == #"line "GPIO99" (gpio.load) not found on gpiochip0: check the name with gpioinfo gpiochip0, or give an offset"#)
    }

    @Test("a busy line says another program holds it, and who when the kernel says")
    func busy() {
        let anonymous = GPIOMessage.requestFailed(
            .name("GPIO17"), key: "gpio.load", chip: "gpiochip0", errno: EBUSY, consumer: nil, ownConsumer: "smallbmsd")
        #expect(anonymous.message
            == "line GPIO17 (gpio.load) is busy: another program holds it (gpioinfo gpiochip0 shows the consumer)")
        let named = GPIOMessage.requestFailed(
            .offset(17), key: "gpio.load", chip: "gpiochip0", errno: EBUSY, consumer: "gpioset",
            ownConsumer: "smallbmsd")
        #expect(named.message.hasPrefix(#"line offset 17 (gpio.load) is busy: another program holds it, "gpioset""#))
        let ours = GPIOMessage.requestFailed(
            .name("GPIO5"), key: "remote", chip: "gpiochip0", errno: EBUSY, consumer: "smallbmsd",
            ownConsumer: "smallbmsd")
        #expect(ours.message.contains("another smallbmsd"))
    }

    @Test("permission denied names the device and the gpio group or a udev rule")
    func permission() {
        let error = GPIOMessage.chipOpenFailed("gpiochip0", errno: EACCES)
        #expect(error.message.contains("/dev/gpiochip0"))
        #expect(error.message.contains("group gpio"))
        #expect(error.message.contains("udev rule"))
        #expect(GPIOMessage.chipOpenFailed("4", errno: EACCES).message.contains("/dev/gpiochip4"))
    }

    @Test("a refused bias says what to set instead")
    func bias() {
        let error = GPIOMessage.requestFailed(
            .name("GPIO5"), key: "remote", chip: "gpiochip0", errno: EINVAL, consumer: nil, ownConsumer: "smallbmsd",
            bias: .pullUp)
        #expect(error.message.contains(#"bias = "as-is""#))
    }

    @Test("an offset past the chip's end gives the valid range")
    func offsetRange() {
        let error = GPIOMessage.offsetOutOfRange(60, key: "gpio.charger", chip: "gpiochip0", lineCount: 54)
        #expect(error.message.contains("offsets 0-53"))
        #expect(error.message.contains("gpio.charger"))
    }
}
