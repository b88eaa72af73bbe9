import EdgeIO

/// Writing to the bus: the simulator drives a real serial adapter (a USB-serial loopback).
extension SerialPort {
    /// Writes every byte, waiting while the device's buffer is full.
    public func write(_ bytes: [UInt8]) throws(HardwareError) {
        try DescriptorWriter.writeAll(descriptor, bytes, to: path)
    }
}
