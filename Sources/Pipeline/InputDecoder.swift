import BMSCore

/// The pure part of a source that listens: a device's bytes in, the rules' inputs out.
///
/// No I/O, no clock: the daemon's source feeds it what its port read, `replay` what a recording
/// holds, a test what it scripts. Each conforming type maps its device's bits to the rules'
/// meaning (behaviour.md, "Where readings come from"), so the rules never know which device spoke.
public protocol InputDecoder: Sendable {
    /// Takes bytes as they arrived (any split) and appends every input they complete to `inputs`.
    mutating func decode(_ bytes: UnsafeRawBufferPointer, into inputs: inout [Controller.Input])
    /// Forgets a partial frame, e.g. after the device was reopened.
    mutating func reset()
}

extension InputDecoder {
    /// Decodes an array of bytes (tests, replay).
    public mutating func decode<C: Collection>(_ bytes: C, into inputs: inout [Controller.Input]) where C.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBytes { decode($0, into: &inputs) }
    }
}
