/// Time on the wire of a UART at 8N1 (a start bit, 8 data bits, a stop bit: 10 bit times a byte).
public enum LineTiming {
    /// Bit times per byte at 8N1.
    public static let bitsPerByte = 10

    /// How long `bytes` bytes take at `baud`, rounded up to the next millisecond.
    public static func transmissionTime(bytes: Int, baud: Int) -> Duration {
        precondition(baud > 0, "a line speed is positive")
        let bits = bytes * bitsPerByte
        let milliseconds = (bits * 1000 + baud - 1) / baud
        return .milliseconds(milliseconds)
    }
}
