import BMSCore

/// One accepted value, in the units of the file (volts, degrees, seconds), before conversion.
enum SettingValue: Equatable {
    case integer(Int)
    case real(Double)
    case text(String)
    case flag(Bool)
    case line(LineSelector)

    var integer: Int? {
        if case .integer(let value) = self { value } else { nil }
    }

    var real: Double? {
        if case .real(let value) = self { value } else { nil }
    }

    var text: String? {
        if case .text(let value) = self { value } else { nil }
    }

    var flag: Bool? {
        if case .flag(let value) = self { value } else { nil }
    }

    var line: LineSelector? {
        if case .line(let value) = self { value } else { nil }
    }
}
