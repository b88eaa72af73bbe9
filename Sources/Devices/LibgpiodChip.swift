import BMSCore
import Config
import EdgeIO

/// An open GPIO chip of one libgpiod generation: what ``KernelGPIO`` needs to request lines.
///
/// Exactly one conforming type is compiled in (`GPIOD1Chip` or `GPIOD2Chip`, chosen by the
/// `LIBGPIOD_V2` condition), because the v1 and v2 headers cannot both be imported.
protocol LibgpiodChip: AnyObject {
    associatedtype Line: HeldLine

    /// Opens `[gpio] chip` as written: a name, a number, a /dev path or a label.
    init(_ descriptor: String) throws(HardwareError)
    /// The kernel's name (`gpiochip0`), whatever `[gpio] chip` said: the name gpioinfo takes.
    var name: String { get }
    /// Requests an output with its OFF value: the kernel sets direction and value in one step,
    /// so the line is never ON, not even between request and first write.
    func requestOutputOff(_ output: Output, _ configuration: OutputLineConfiguration, consumer: String)
        throws(HardwareError) -> Line
    /// Requests the debounced remote input, refusing a line one of `outputs` holds.
    func requestRemoteInput(_ remote: RemoteConfiguration, outputs: KernelOutputLines<Line>, consumer: String)
        throws(HardwareError) -> any RemoteInput
}
