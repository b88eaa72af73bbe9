/// Refuses, with a line and column, the syntax errors that the toml++ inside TOMLKit 0.6.0
/// cannot report.
///
/// On some malformed input toml++ 3.x fails an `assert` instead of reporting an error, and
/// SwiftPM compiles it without `NDEBUG` (in release too), so the process aborts: one typo in the
/// file killed `check-config`, the daemon at start, and the running daemon on a reload. Found by
/// the fuzzer (`Tests/Fuzz/`, target `config`). Two families reach those assertions:
/// - a table header whose name starts with neither a bare-key character nor a quote:
///   `[`, `[.bus]`, `[=]`, `[[[x]]]`, `[é]`;
/// - a value that toml++ guesses to be a number, date or time from the characters it contains,
///   but whose characters are not in the right order: `1979-05-27T:`;
/// - no value where an array needs one: `[}`, `[1,,2]`.
///
/// So before toml++ sees the text, it is read here the way toml++ reads it: statement by
/// statement, through strings, comments, arrays and inline tables. Every table name's first
/// character, and every bare value (anything but a string, array or inline table) as a whole, is
/// checked against TOML 1.0. Anything else that is wrong is left to toml++, which reports it
/// well; the reading stops there, since toml++ stops there too.
enum TOMLPreflight {
    /// Where the problem starts (1-based line and column, the column in Unicode scalars as toml++
    /// counts), and what it is.
    struct Problem: Equatable {
        var line: Int
        var column: Int
        var message: String
    }

    static func firstProblem(in text: String) -> Problem? {
        var reader = Reader(bytes: Array(text.utf8))
        do {
            try reader.document()
        } catch let stop {
            return stop.problem
        }
        return nil
    }
}

/// Ends the reading: with a problem, or with nil where toml++ will report the error itself.
private struct Stop: Error {
    var problem: TOMLPreflight.Problem?
}

private struct Reader {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    private var atEnd: Bool { index >= bytes.count }
    private var current: UInt8 { bytes[index] }

    /// Leaves the rest to toml++.
    private var deferred: Stop { Stop(problem: nil) }

    mutating func document() throws(Stop) {
        while true {
            skipBlanks()
            guard !atEnd else { return }
            switch current {
            case ascii("\n"), ascii("\r"):
                index += 1
            case ascii("#"):
                skipComment()
            case ascii("["):
                try header()
                try endOfStatement()
            case _ where startsKey(current):
                try key()
                skipBlanks()
                guard !atEnd, current == ascii("=") else { throw deferred }
                index += 1
                skipBlanks()
                try value()
                try endOfStatement()
            default:
                throw deferred
            }
        }
    }

    /// `[name]` or `[[name]]`.
    private mutating func header() throws(Stop) {
        index += 1
        skipBlanks()
        if !atEnd, current == ascii("[") {
            index += 1
            skipBlanks()
        }
        guard !atEnd, current != ascii("]") else { throw deferred }
        guard startsKey(current) else {
            throw problem(at: index, "a table name must start with a letter, a digit, '_', '-' or a quote, found \(found(at: index))")
        }
        try key()
        skipBlanks()
        guard !atEnd, current == ascii("]") else { throw deferred }
        index += 1
        if !atEnd, current == ascii("]") { index += 1 }
    }

    /// After a header or a key-value pair: blanks, perhaps a comment, then the end of the line.
    private mutating func endOfStatement() throws(Stop) {
        skipBlanks()
        if !atEnd, current == ascii("#") { skipComment() }
        guard atEnd || current == ascii("\n") || current == ascii("\r") else { throw deferred }
    }

    /// A dotted key: bare or quoted parts joined by dots.
    private mutating func key() throws(Stop) {
        while true {
            guard !atEnd, startsKey(current) else { throw deferred }
            if current == ascii("\"") || current == ascii("'") {
                try string()
            } else {
                while !atEnd, isBareKeyCharacter(current) { index += 1 }
            }
            skipBlanks()
            guard !atEnd, current == ascii(".") else { return }
            index += 1
            skipBlanks()
        }
    }

    private mutating func value() throws(Stop) {
        guard !atEnd else { throw deferred }
        switch current {
        case ascii("\""), ascii("'"):
            try string()
        case ascii("["):
            try array()
        case ascii("{"):
            try inlineTable()
        case ascii("]"), ascii("}"), ascii(","), ascii("#"):
            // toml++ asserts on these where a value must start (`[}`, `[1,,2]`).
            throw problem(at: index, "expected a value, found \(found(at: index))")
        default:
            try bareValue()
        }
    }

    private mutating func array() throws(Stop) {
        index += 1
        while true {
            try skipBlanksNewlinesAndComments()
            guard !atEnd else { throw deferred }
            if current == ascii("]") {
                index += 1
                return
            }
            try value()
            try skipBlanksNewlinesAndComments()
            guard !atEnd else { throw deferred }
            if current == ascii(",") {
                index += 1
            } else if current != ascii("]") {
                throw deferred
            }
        }
    }

    private mutating func inlineTable() throws(Stop) {
        index += 1
        skipBlanks()
        guard !atEnd else { throw deferred }
        if current == ascii("}") {
            index += 1
            return
        }
        while true {
            try key()
            skipBlanks()
            guard !atEnd, current == ascii("=") else { throw deferred }
            index += 1
            skipBlanks()
            try value()
            skipBlanks()
            guard !atEnd else { throw deferred }
            if current == ascii("}") {
                index += 1
                return
            }
            guard current == ascii(",") else { throw deferred }
            index += 1
            skipBlanks()
        }
    }

    /// A number, boolean, date, time or date-time: everything up to what ends a value.
    private mutating func bareValue() throws(Stop) {
        let start = index
        while !atEnd, !endsBareValue(at: index) { index += 1 }
        // `1979-05-27 07:32:00`: a date, one space and a digit go on as a date-time.
        if index - start == 10, isLocalDate(bytes[start..<index]), index + 1 < bytes.count,
           current == ascii(" "), isDigit(bytes[index + 1]) {
            index += 1
            while !atEnd, !endsBareValue(at: index) { index += 1 }
        }
        guard index > start else { throw deferred }  // a control character: toml++ says so
        let token = bytes[start..<index]
        guard isTOMLScalar(token) else {
            let text = String(decoding: token.prefix(40), as: UTF8.self)
            throw problem(at: start, "'\(text)\(token.count > 40 ? "..." : "")' is not a value: expected a number, true or false, a date or a time, a quoted string, an array or an inline table")
        }
    }

    /// Whitespace (ASCII or the Unicode spaces toml++ also takes as such), `]`, `}`, `,`, `#`,
    /// a line end or a control character.
    private func endsBareValue(at offset: Int) -> Bool {
        let byte = bytes[offset]
        switch byte {
        case ascii(" "), ascii("\t"), ascii("]"), ascii("}"), ascii(","), ascii("#"): return true
        case 0...0x1F, 0x7F: return true
        case 0x80...: return unicodeSpaceLength(at: offset) > 0
        default: return false
        }
    }

    /// Any of the four TOML strings, from its opening quote to just after its closing one.
    private mutating func string() throws(Stop) {
        let quote = current
        let isBasic = quote == ascii("\"")
        if index + 2 < bytes.count, bytes[index + 1] == quote, bytes[index + 2] == quote {
            index += 3
            while !atEnd {
                if isBasic, current == ascii("\\") {
                    index += 2
                    continue
                }
                if current == quote, index + 2 < bytes.count, bytes[index + 1] == quote, bytes[index + 2] == quote {
                    index += 3
                    // Up to two more quotes still belong to the string.
                    for _ in 0..<2 where !atEnd && current == quote { index += 1 }
                    return
                }
                index += 1
            }
            throw deferred
        }
        index += 1
        while !atEnd, current != ascii("\n") {
            if isBasic, current == ascii("\\") {
                index += 2
                continue
            }
            if current == quote {
                index += 1
                return
            }
            index += 1
        }
        throw deferred
    }

    private mutating func skipComment() {
        while !atEnd, current != ascii("\n") { index += 1 }
    }

    private mutating func skipBlanks() {
        while !atEnd {
            if current == ascii(" ") || current == ascii("\t") {
                index += 1
            } else if current >= 0x80, case let length = unicodeSpaceLength(at: index), length > 0 {
                index += length
            } else {
                return
            }
        }
    }

    private mutating func skipBlanksNewlinesAndComments() throws(Stop) {
        while true {
            skipBlanks()
            guard !atEnd else { return }
            switch current {
            case ascii("\n"), ascii("\r"): index += 1
            case ascii("#"): skipComment()
            default: return
            }
        }
    }

    /// The UTF-8 length of the Unicode space at `offset` that toml++ takes for whitespace, or 0.
    private func unicodeSpaceLength(at offset: Int) -> Int {
        let scalar = String(decoding: bytes[offset...].prefix(4), as: UTF8.self).unicodeScalars.first
        guard let scalar else { return 0 }
        switch scalar.value {
        case 0xA0, 0x1680, 0x180E, 0x2000...0x200B, 0x202F, 0x205F, 0x2060, 0x3000, 0xFEFF:
            return String(scalar).utf8.count
        default:
            return 0
        }
    }

    private func problem(at offset: Int, _ message: String) -> Stop {
        let lineStart = bytes[..<offset].lastIndex(of: ascii("\n")).map { $0 + 1 } ?? 0
        let line = bytes[..<offset].reduce(1) { $1 == ascii("\n") ? $0 + 1 : $0 }
        // Columns count Unicode scalars: every byte that does not continue a UTF-8 sequence.
        let column = bytes[lineStart..<offset].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
        return Stop(problem: TOMLPreflight.Problem(line: line, column: column, message: message))
    }

    private func found(at offset: Int) -> String {
        switch bytes[offset] {
        case ascii("\n"), ascii("\r"): return "the end of the line"
        case 0x21...0x7E: return "'\(Unicode.Scalar(bytes[offset]))'"
        default:
            let scalar = String(decoding: bytes[offset...].prefix(4), as: UTF8.self).unicodeScalars.first
            return scalar.map { "U+" + String($0.value, radix: 16, uppercase: true) } ?? "a byte that is not text"
        }
    }
}

// MARK: - TOML 1.0 scalars

/// True when `token` is a TOML 1.0 boolean, integer, float, offset or local date-time, local
/// date or local time.
private func isTOMLScalar(_ token: ArraySlice<UInt8>) -> Bool {
    let text = Array(token)
    if text == Array("true".utf8) || text == Array("false".utf8) { return true }
    var rest = text[...]
    if let first = rest.first, first == ascii("+") || first == ascii("-") { rest = rest.dropFirst() }
    if rest.elementsEqual("inf".utf8) || rest.elementsEqual("nan".utf8) { return true }
    if text.count > 2, text[0] == ascii("0") {
        let digits = text[2...]
        switch text[1] {
        case ascii("x"): return isDigitRun(digits, isHexDigit)
        case ascii("o"): return isDigitRun(digits) { (ascii("0")...ascii("7")).contains($0) }
        case ascii("b"): return isDigitRun(digits) { $0 == ascii("0") || $0 == ascii("1") }
        default: break
        }
    }
    return isDecimalNumber(text[...]) || isDateOrTime(text[...])
}

/// `[+-]? (0 | [1-9] (_? digit)*) (. digits)? ([eE] [+-]? digits)?`, digits with single `_` between.
private func isDecimalNumber(_ text: ArraySlice<UInt8>) -> Bool {
    var rest = text
    if let first = rest.first, first == ascii("+") || first == ascii("-") { rest = rest.dropFirst() }
    let integerEnd = rest.firstIndex { $0 == ascii(".") || $0 == ascii("e") || $0 == ascii("E") } ?? rest.endIndex
    let integer = rest[..<integerEnd]
    guard isDigitRun(integer, isDigit), integer.first != ascii("0") || integer.count == 1 else { return false }
    rest = rest[integerEnd...]
    if rest.first == ascii(".") {
        rest = rest.dropFirst()
        let fractionEnd = rest.firstIndex { $0 == ascii("e") || $0 == ascii("E") } ?? rest.endIndex
        guard isDigitRun(rest[..<fractionEnd], isDigit) else { return false }
        rest = rest[fractionEnd...]
    }
    if let first = rest.first, first == ascii("e") || first == ascii("E") {
        rest = rest.dropFirst()
        if let sign = rest.first, sign == ascii("+") || sign == ascii("-") { rest = rest.dropFirst() }
        guard isDigitRun(rest, isDigit) else { return false }
    }
    return true
}

/// One or more digits, with single underscores only between two digits.
private func isDigitRun(_ text: ArraySlice<UInt8>, _ isDigit: (UInt8) -> Bool) -> Bool {
    guard let first = text.first, let last = text.last, isDigit(first), isDigit(last) else { return false }
    var previousWasUnderscore = false
    for byte in text {
        if byte == ascii("_") {
            if previousWasUnderscore { return false }
            previousWasUnderscore = true
        } else if isDigit(byte) {
            previousWasUnderscore = false
        } else {
            return false
        }
    }
    return true
}

/// `YYYY-MM-DD`, `HH:MM:SS[.frac]`, or a date, `T`/`t`/space, a time and an optional offset.
private func isDateOrTime(_ text: ArraySlice<UInt8>) -> Bool {
    if text.count == 10 { return isLocalDate(text) }
    if isLocalTime(text) { return true }
    guard text.count > 11, isLocalDate(text.prefix(10)) else { return false }
    let separator = text[text.startIndex + 10]
    guard separator == ascii("T") || separator == ascii("t") || separator == ascii(" ") else { return false }
    var time = text.dropFirst(11)
    if let last = time.last, last == ascii("Z") || last == ascii("z") {
        time = time.dropLast()
    } else if time.count > 6 {
        let offset = time.suffix(6)
        if (offset.first == ascii("+") || offset.first == ascii("-")) && matches(offset.dropFirst(), "dd:dd") {
            time = time.dropLast(6)
        }
    }
    return isLocalTime(time)
}

private func isLocalDate(_ text: ArraySlice<UInt8>) -> Bool {
    matches(text, "dddd-dd-dd")
}

private func isLocalTime(_ text: ArraySlice<UInt8>) -> Bool {
    guard text.count >= 8, matches(text.prefix(8), "dd:dd:dd") else { return false }
    let fraction = text.dropFirst(8)
    if fraction.isEmpty { return true }
    return fraction.first == ascii(".") && fraction.count > 1 && fraction.dropFirst().allSatisfy(isDigit)
}

/// `text` against a pattern where `d` is any decimal digit and anything else stands for itself.
private func matches(_ text: ArraySlice<UInt8>, _ pattern: String) -> Bool {
    guard text.count == pattern.utf8.count else { return false }
    return zip(text, pattern.utf8).allSatisfy { byte, expected in
        expected == ascii("d") ? isDigit(byte) : byte == expected
    }
}

private func startsKey(_ byte: UInt8) -> Bool {
    isBareKeyCharacter(byte) || byte == ascii("\"") || byte == ascii("'")
}

private func isBareKeyCharacter(_ byte: UInt8) -> Bool {
    isDigit(byte) || (ascii("a")...ascii("z")).contains(byte) || (ascii("A")...ascii("Z")).contains(byte)
        || byte == ascii("_") || byte == ascii("-")
}

private func isDigit(_ byte: UInt8) -> Bool { (ascii("0")...ascii("9")).contains(byte) }

private func isHexDigit(_ byte: UInt8) -> Bool {
    isDigit(byte) || (ascii("a")...ascii("f")).contains(byte) || (ascii("A")...ascii("F")).contains(byte)
}

private func ascii(_ scalar: Unicode.Scalar) -> UInt8 { UInt8(ascii: scalar) }
