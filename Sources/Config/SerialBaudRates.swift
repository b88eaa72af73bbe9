/// The line speeds a serial port of smallbmsd can be set to (the serial edge maps each to its
/// termios speed); every `baud` key of the config is one of these.
public enum SerialBaudRates {
    /// In bit/s, slowest first.
    public static let supported = [9600, 19200, 38400, 57600, 115200]
}
