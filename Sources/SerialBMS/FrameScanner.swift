/// Cuts a byte stream into frames that start with a fixed byte, for the three serial BMS
/// decoders: it holds the bytes from a start byte on, asks the protocol's `examine` function
/// after every byte, and on a bad candidate drops only its start byte and looks again at what
/// followed, so a real frame that began inside noise (or inside a false start) is still found.
///
/// Bytes are taken one at a time, so the frames delivered and the counters reached do not depend
/// on how the stream was split into reads. At most `maxFrameLength` bytes are held: a candidate
/// that is still undecided at that size is a bad length.
public struct FrameScanner: Sendable {
    /// The byte every frame starts with.
    public let startByte: UInt8
    /// The longest frame the protocol allows; bounds the memory held.
    public let maxFrameLength: Int
    /// What was delivered and discarded; `reset()` keeps it.
    public private(set) var counters = FrameCounters()
    private var held: [UInt8] = []

    /// A scanner for frames starting with `startByte`, at most `maxFrameLength` bytes long.
    public init(startByte: UInt8, maxFrameLength: Int) {
        precondition(maxFrameLength >= 1, "a frame has at least its start byte")
        self.startByte = startByte
        self.maxFrameLength = maxFrameLength
        held.reserveCapacity(maxFrameLength)
    }

    /// Bytes currently held (a partial frame); never more than `maxFrameLength`.
    public var heldByteCount: Int { held.count }

    /// Forgets a partial frame (the port was reopened). Counters are kept.
    public mutating func reset() {
        held.removeAll(keepingCapacity: true)
    }

    /// Counts a well-framed frame that the protocol's content checks refused after `examine`
    /// accepted it (for example a JBD cell block of an odd length): it moves from `frames` to
    /// the fault's counter.
    public mutating func refuseDelivered(_ fault: FrameFault) {
        counters.frames -= 1
        count(fault)
    }

    /// Consumes `bytes` and calls `deliver` with each complete frame, in stream order.
    /// `examine` sees the held bytes (the first is always the start byte) and must decide from
    /// the shortest prefix it can, so that its verdict does not depend on bytes after the frame.
    public mutating func feed<C: Collection>(
        _ bytes: C, examine: ([UInt8]) -> FrameCheck, deliver: ([UInt8]) -> Void
    ) where C.Element == UInt8 {
        for byte in bytes {
            if held.isEmpty, byte != startByte {
                counters.skippedBytes += 1
                continue
            }
            held.append(byte)
            settle(examine: examine, deliver: deliver)
        }
    }

    private mutating func settle(examine: ([UInt8]) -> FrameCheck, deliver: ([UInt8]) -> Void) {
        while !held.isEmpty {
            switch examine(held) {
            case .needMore:
                guard held.count >= maxFrameLength else { return }
                count(.length)
                resynchronise()
            case .complete(let length):
                let frameLength = min(max(length, 1), held.count)
                counters.frames += 1
                deliver(Array(held[0..<frameLength]))
                held.removeFirst(frameLength)
                dropToStartByte()
            case .bad(let fault):
                count(fault)
                resynchronise()
            }
        }
    }

    /// Drops the start byte of a bad candidate and anything up to the next start byte.
    private mutating func resynchronise() {
        held.removeFirst()
        dropToStartByte()
    }

    private mutating func dropToStartByte() {
        let next = held.firstIndex(of: startByte) ?? held.count
        counters.skippedBytes += next
        held.removeFirst(next)
    }

    private mutating func count(_ fault: FrameFault) {
        switch fault {
        case .checksum: counters.badChecksum += 1
        case .length: counters.badLength += 1
        case .framing: counters.badFraming += 1
        }
    }
}
