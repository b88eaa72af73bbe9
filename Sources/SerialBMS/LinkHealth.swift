/// How a polled BMS has been answering, judged at the end of each cycle, so an installer can
/// tell a wiring fault from a wrong baud from a BMS that is busy with something else.
public enum LinkHealth: Sendable, Hashable {
    /// No cycle has finished yet, or none ever brought a byte: check wiring, TX/RX swapped, RS485 A/B.
    case neverAnswered
    /// The last cycle completed: every register arrived valid.
    case answering
    /// The last cycle had valid replies but not all that a reading needs (some registers
    /// unanswered, wrong or refused).
    case partial
    /// It answered before, but the last cycle brought no byte at all: the BMS went to sleep,
    /// lost power, or the cable came off.
    case silent
    /// The last cycle brought bytes but not one valid frame: most often a wrong baud, else noise
    /// or another protocol on the line.
    case garbled
}
