/// Turns the byte stream of a VE.Direct port (SmartShunt, BMV) into checked text-protocol blocks,
/// whatever the chunking.
///
/// The text protocol (19200 baud 8N1) sends fields `\r\nlabel\tvalue`; a block ends with the field
/// `Checksum`, whose value is one byte chosen so that every byte of the block, from the `\r\n`
/// after the previous block's checksum byte to this checksum byte, adds up to 0 modulo 256.
/// HEX-protocol frames (`:` to `\n`) may come between and inside blocks: they are skipped and do
/// not count in the checksum. This follows the state machine of Victron's published reference
/// frame handler.
///
/// A block is delivered only when its checksum matches, so a half block at start-up or after a
/// reopen is dropped, as is any block hit by noise. At most `maxBlockLength` bytes are held
/// (bounded memory whatever the line sends); a longer block is discarded.
public struct VEDirectDecoder: Sendable {
    /// The text protocol's fixed line speed: 19200 baud 8N1.
    public static let baud = 19200
    /// Longest block held: real blocks are under 300 bytes (a BMV-712's largest is about 250).
    public static let maxBlockLength = 1024
    /// Longest label and value held: the protocol's are 9 and 33; longer ones make a bad block.
    static let maxLabelLength = 16
    static let maxValueLength = 64
    /// Longest HEX frame skipped before it is taken for noise and the block for bad.
    static let maxHexFrameLength = 256

    private enum State: Sendable {
        /// Before the first `\n` of a field.
        case idle
        /// Reading a label.
        case label
        /// Reading a value.
        case value
        /// The next byte is the checksum byte.
        case checksum
    }

    /// What was delivered and discarded since the decoder was made; `reset()` keeps it.
    public private(set) var counters = VEDirectCounters()

    private var state = State.idle
    /// The state to return to after a HEX frame, or nil outside one.
    private var stateBeforeHex: State?
    private var hexLength = 0
    private var sum: UInt8 = 0
    private var blockLength = 0
    /// The block is already known to be bad (too long, an over-long field): drop it at its checksum.
    private var blockSpoiled = false
    private var label: [UInt8] = []
    private var value: [UInt8] = []
    private var fields: [VEDirectBlock.Field] = []

    /// A decoder that has seen nothing yet.
    public init() {}

    /// Fields of the open block currently held; lets tests check that memory stays bounded.
    var heldFieldCount: Int { fields.count }

    /// Forgets a partial block, for when the port is reopened. Counters are kept.
    public mutating func reset() {
        state = .idle
        stateBeforeHex = nil
        hexLength = 0
        startBlock()
    }

    /// Consumes `bytes` (a read buffer, an array, a string's UTF-8) and calls `deliver` once per block
    /// whose checksum matches, in stream order.
    public mutating func feed<C: Collection>(_ bytes: C, _ deliver: (VEDirectBlock) -> Void) where C.Element == UInt8 {
        for byte in bytes { consume(byte, deliver) }
    }

    private mutating func consume(_ byte: UInt8, _ deliver: (VEDirectBlock) -> Void) {
        if let resume = stateBeforeHex {
            hexLength += 1
            if byte == 0x0A {
                stateBeforeHex = nil
                state = resume
                counters.hexFrames += 1
            } else if hexLength > Self.maxHexFrameLength {
                // Not a HEX frame after all: noise. Whatever block was open is lost.
                stateBeforeHex = nil
                state = .idle
                blockSpoiled = true
            }
            return
        }
        if byte == 0x3A, state != .checksum {  // ':' starts a HEX frame, except as the checksum byte
            stateBeforeHex = state
            hexLength = 1
            return
        }
        sum &+= byte
        blockLength += 1
        if blockLength > Self.maxBlockLength { blockSpoiled = true }

        switch state {
        case .idle:
            if byte == 0x0A { beginField() }
        case .label:
            if byte == 0x09 {
                state = label == Self.checksumLabel ? .checksum : .value
            } else if byte == 0x0A || byte == 0x0D {
                blockSpoiled = true  // a field without a value
                if byte == 0x0A { beginField() }
            } else if label.count < Self.maxLabelLength {
                label.append(byte)
            } else {
                blockSpoiled = true
            }
        case .value:
            if byte == 0x0A {
                // A spoiled block is dropped at its checksum anyway: holding no more of it bounds memory.
                if !blockSpoiled {
                    fields.append(VEDirectBlock.Field(label: String(decoding: label, as: UTF8.self), value: String(decoding: value, as: UTF8.self)))
                }
                beginField()
            } else if byte == 0x0D {
                // The `\r` of the next field's `\r\n`.
            } else if value.count < Self.maxValueLength {
                value.append(byte)
            } else {
                blockSpoiled = true
            }
        case .checksum:
            if sum == 0, !blockSpoiled, !fields.isEmpty {
                counters.blocks += 1
                deliver(VEDirectBlock(fields: fields))
            } else {
                counters.bad += 1
            }
            state = .idle
            startBlock()
        }
    }

    private static let checksumLabel = Array("Checksum".utf8)

    private mutating func beginField() {
        state = .label
        label.removeAll(keepingCapacity: true)
        value.removeAll(keepingCapacity: true)
    }

    private mutating func startBlock() {
        sum = 0
        blockLength = 0
        blockSpoiled = false
        label.removeAll(keepingCapacity: true)
        value.removeAll(keepingCapacity: true)
        fields.removeAll(keepingCapacity: true)
    }
}
