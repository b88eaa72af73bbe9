import TOMLKit

/// TOML renderings of values, for messages and for the effective settings text.
enum TOMLText {
    /// A TOML basic string: quoted, with quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// The value as it would appear after `key =`, short enough for a one-line message.
    static func render(_ value: any TOMLValueConvertible) -> String {
        switch value.type {
        case .string: quoted(value.string ?? "")
        case .int: value.int.map { String($0) } ?? "?"
        case .double: value.double.map { $0.description } ?? "?"
        case .bool: value.bool.map { String($0) } ?? "?"
        case .table: "{...}"
        case .array: "[...]"
        case .date, .time, .dateTime: value.debugDescription
        }
    }

    /// The type of a value with its article, as a message names it: "a string", "an integer".
    static func typeName(_ type: TOMLType) -> String {
        switch type {
        case .string: "a string"
        case .int: "an integer"
        case .double: "a floating-point number"
        case .bool: "a boolean"
        case .table: "a table"
        case .array: "an array"
        case .date: "a date"
        case .time: "a time"
        case .dateTime: "a date-time"
        }
    }
}
