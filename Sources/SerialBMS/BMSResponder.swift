/// A simulated BMS on the far end of a UART: request bytes in, reply bytes out, like the real
/// one: it answers only well-formed requests for registers it has, and ignores garbage.
public protocol BMSResponder: Sendable {
    /// What the simulated BMS reports; change it between requests.
    var pack: SimulatedPack { get set }
    /// Consumes bytes written to the BMS (in any chunking) and returns the bytes it answers,
    /// in order; empty when nothing complete and valid arrived.
    mutating func receive<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8
}
