/// Where each table and key of a TOML text is written, by dotted path.
///
/// TOMLKit gives no positions for keys, yet every message must name a line. The text has already
/// been accepted by TOMLKit when this runs, so the scanner can assume valid TOML: it only has to
/// follow table headers and dotted keys, and step over strings, multi-line strings and arrays
/// that span lines so that their contents are never taken for keys or headers.
struct SourceLineIndex {
    /// Lines of headers and keys as written.
    private var explicitLines: [String: Int] = [:]
    /// Lines of tables that exist only as the prefix of a header or dotted key (`gpio` in `[gpio.load]`).
    private var implicitLines: [String: Int] = [:]

    init(text: String) {
        var value = ValueScanner()
        var currentTable: [String] = []
        // `[[battery]]` elements are named `battery[1]`, `battery[2]`, ... in file order.
        var arrayElements: [String: Int] = [:]
        // TOML ends lines with LF or CRLF; Swift holds CRLF as one Character, so both are named.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (index, line) in lines.enumerated() {
            let characters = Array(line)
            let lineNumber = index + 1
            if value.isOpen {
                value.scan(characters, from: 0)
                continue
            }
            var position = Self.skipWhitespace(characters, from: 0)
            guard position < characters.count, characters[position] != "#" else { continue }
            if characters[position] == "[" {
                let isArrayOfTables = position + 1 < characters.count && characters[position + 1] == "["
                position += isArrayOfTables ? 2 : 1
                guard var (path, _) = Self.keyPath(characters, from: position) else { continue }
                if isArrayOfTables, let last = path.last {
                    let name = path.joined(separator: ".")
                    let element = (arrayElements[name] ?? 0) + 1
                    arrayElements[name] = element
                    record(path, line: lineNumber)
                    path[path.count - 1] = "\(last)[\(element)]"
                }
                currentTable = path
                record(path, line: lineNumber)
                continue
            }
            guard let (path, end) = Self.keyPath(characters, from: position) else { continue }
            record(currentTable + path, line: lineNumber)
            let equals = Self.skipWhitespace(characters, from: end)
            guard equals < characters.count, characters[equals] == "=" else { continue }
            value.scan(characters, from: equals + 1)
        }
    }

    /// The line of `path`, or of the nearest enclosing table written on one line (an inline
    /// table `load = { line = 17 }` holds its keys on its own line).
    func line(of path: String) -> Int? {
        var segments = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        while !segments.isEmpty {
            let key = segments.joined(separator: ".")
            if let line = explicitLines[key] ?? implicitLines[key] { return line }
            segments.removeLast()
        }
        return nil
    }

    private mutating func record(_ path: [String], line: Int) {
        guard !path.isEmpty else { return }
        let key = path.joined(separator: ".")
        if explicitLines[key] == nil { explicitLines[key] = line }
        for length in stride(from: path.count - 1, through: 1, by: -1) {
            let prefix = path.prefix(length).joined(separator: ".")
            if implicitLines[prefix] == nil { implicitLines[prefix] = line }
        }
    }

    private static func skipWhitespace(_ characters: [Character], from start: Int) -> Int {
        var position = start
        while position < characters.count, characters[position] == " " || characters[position] == "\t" {
            position += 1
        }
        return position
    }

    /// A dotted key (`a`, `a.b`, `"a b".c`, `a . 'b'`) starting at `start`, and where it ends.
    private static func keyPath(_ characters: [Character], from start: Int) -> ([String], Int)? {
        var segments: [String] = []
        var position = start
        while true {
            position = skipWhitespace(characters, from: position)
            guard position < characters.count else { break }
            let first = characters[position]
            var segment = ""
            if first == "\"" || first == "'" {
                position += 1
                while position < characters.count, characters[position] != first {
                    if first == "\"", characters[position] == "\\", position + 1 < characters.count {
                        position += 1
                    }
                    segment.append(characters[position])
                    position += 1
                }
                position += 1
            } else {
                while position < characters.count, isBareKeyCharacter(characters[position]) {
                    segment.append(characters[position])
                    position += 1
                }
                guard !segment.isEmpty else { break }
            }
            segments.append(segment)
            position = skipWhitespace(characters, from: position)
            guard position < characters.count, characters[position] == "." else { break }
            position += 1
        }
        return segments.isEmpty ? nil : (segments, position)
    }

    private static func isBareKeyCharacter(_ character: Character) -> Bool {
        character == "_" || character == "-" || (character.isASCII && (character.isLetter || character.isNumber))
    }
}

/// Follows a value across lines: how deep in arrays and inline tables it is, and whether a
/// multi-line string is still open.
private struct ValueScanner {
    private var depth = 0
    private var openMultilineQuote: Character?

    /// `true` while the value continues on the next line.
    var isOpen: Bool { depth > 0 || openMultilineQuote != nil }

    mutating func scan(_ characters: [Character], from start: Int) {
        var position = start
        while position < characters.count {
            if let quote = openMultilineQuote {
                if quote == "\"", characters[position] == "\\" {
                    position += 2
                    continue
                }
                if characters[position] == quote {
                    let run = quoteRun(characters, from: position, quote: quote)
                    position += run
                    // Up to two quotes right before the closing three belong to the string.
                    if run >= 3 { openMultilineQuote = nil }
                    continue
                }
                position += 1
                continue
            }
            let character = characters[position]
            switch character {
            case "#":
                return
            case "\"", "'":
                if quoteRun(characters, from: position, quote: character) >= 3 {
                    openMultilineQuote = character
                    position += 3
                } else {
                    position = endOfSingleLineString(characters, from: position, quote: character)
                }
                continue
            case "[", "{":
                depth += 1
            case "]", "}":
                depth = max(0, depth - 1)
            default:
                break
            }
            position += 1
        }
    }

    private func quoteRun(_ characters: [Character], from start: Int, quote: Character) -> Int {
        var position = start
        while position < characters.count, characters[position] == quote { position += 1 }
        return position - start
    }

    /// The position just after the string that opens at `start` (`""` and `''` included).
    private func endOfSingleLineString(_ characters: [Character], from start: Int, quote: Character) -> Int {
        var position = start + 1
        while position < characters.count, characters[position] != quote {
            if quote == "\"", characters[position] == "\\" { position += 1 }
            position += 1
        }
        return position + 1
    }
}
