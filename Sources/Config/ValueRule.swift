import VictronInstantReadout
import TOMLKit

/// What a key accepts: the TOML type, the allowed values, and how to say both in a message.
enum ValueRule {
    case integer(IntegerRule)
    case real(RealRule)
    /// A non-empty string; `meaning` says what it names ("the serial device path").
    case text(meaning: String)
    /// One of a few fixed strings.
    case choice([String])
    case flag
    /// A line name (string) or a line offset (integer).
    case line
    /// A secret: an Instant Readout key, 32 hex digits. Never echoed in a message, never printed
    /// (its key's `read` gives the redacted form).
    case secretKey
    /// A Bluetooth address, six hex pairs with colons (`F4:12:34:56:78:9A`).
    case bluetoothAddress

    /// The largest line offset accepted: far above any real chip, low enough for libgpiod's `unsigned int`.
    static let maximumLineOffset = 65535

    /// The outcome of checking one value.
    enum Verdict {
        case accepted(SettingValue)
        /// The text to put after `key = value`: what is wrong and what is allowed.
        case refused(String)
    }

    /// Checks a TOML value; `defaultText` is quoted in refusals so the installer can fall back to it.
    func check(_ value: any TOMLValueConvertible, defaultText: String) -> Verdict {
        let wrongType = Verdict.refused("has the wrong type: \(TOMLText.typeName(value.type)), expected \(expected)")
        let defaultNote = "(default \(defaultText))"
        switch self {
        case .integer(let rule):
            guard let number = value.int else { return wrongType }
            guard rule.allows(number) else {
                let problem = if case .oneOf = rule { "is not supported" } else { "is out of range" }
                return .refused("\(problem): allowed \(rule.allowedText) \(defaultNote)")
            }
            return .accepted(.integer(number))

        case .real(let rule):
            // Installers write `prealarm_lead_s = 30` and `confirm_s = 1`: an integer is a real too.
            guard let number = value.double ?? value.int.map(Double.init) else { return wrongType }
            guard number.isFinite else {
                return .refused("is not a finite number: allowed \(rule.allowedText) \(defaultNote)")
            }
            guard rule.allows(number) else {
                return .refused("is out of range: allowed \(rule.allowedText) \(defaultNote)")
            }
            return .accepted(.real(number))

        case .text(let meaning):
            guard let text = value.string else { return wrongType }
            guard !Self.isBlank(text) else { return .refused("is empty: expected \(meaning) \(defaultNote)") }
            return .accepted(.text(text))

        case .choice(let choices):
            guard let text = value.string else { return wrongType }
            guard choices.contains(text) else {
                var reason = "is not allowed: allowed \(expected) \(defaultNote)"
                if let suggestion = NameSuggester.suggestion(for: text, among: choices) {
                    reason += "; did you mean \(TOMLText.quoted(suggestion))?"
                }
                return .refused(reason)
            }
            return .accepted(.text(text))

        case .flag:
            guard let flag = value.bool else { return wrongType }
            return .accepted(.flag(flag))

        case .line:
            if let name = value.string {
                guard !Self.isBlank(name) else { return .refused("is empty: expected \(expected) \(defaultNote)") }
                return .accepted(.line(.name(name)))
            }
            guard let offset = value.int else { return wrongType }
            guard (0...Self.maximumLineOffset).contains(offset) else {
                return .refused("is out of range: a line offset is 0 to \(Self.maximumLineOffset) \(defaultNote)")
            }
            return .accepted(.line(.offset(offset)))

        case .secretKey:
            guard let text = value.string else { return .refused("has the wrong type: expected \(expected)") }
            do throws(InstantReadoutKeyError) {
                _ = try InstantReadoutKey(hex: text)
            } catch {
                return .refused("is not a key: \(error)")
            }
            return .accepted(.text(text))

        case .bluetoothAddress:
            guard let text = value.string else { return wrongType }
            guard Self.isBluetoothAddress(text) else {
                return .refused("is not a Bluetooth address: expected \(expected)")
            }
            return .accepted(.text(text.uppercased()))
        }
    }

    /// Whether this value must never appear in a message or printout.
    var isSecret: Bool {
        if case .secretKey = self { return true }
        return false
    }

    /// `AA:BB:CC:DD:EE:FF`, either case.
    static func isBluetoothAddress(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 6 && parts.allSatisfy { $0.count == 2 && $0.allSatisfy(\.isHexDigit) }
    }

    /// What the key expects, type first: `an integer 1 to 20`, `true or false`.
    var expected: String {
        switch self {
        case .integer(let rule): "an integer \(rule.allowedText)"
        case .real(let rule): "a number \(rule.allowedText)"
        case .text(let meaning): "a string: \(meaning)"
        case .choice(let choices): ListText.alternatives(choices.map(TOMLText.quoted))
        case .flag: "true or false"
        case .line: "a line name such as \"GPIO17\" or a line offset (an integer 0 to \(Self.maximumLineOffset))"
        case .secretKey:
            "a string of 32 hex digits: the device's Instant Readout key (VictronConnect: Product info -> Instant readout details)"
        case .bluetoothAddress: "a string such as \"F4:12:34:56:78:9A\" (bluetoothctl devices, or VictronConnect: Product info)"
        }
    }

    /// The value as TOML, written the way the sample file writes it.
    func render(_ value: SettingValue) -> String {
        switch (self, value) {
        case (.real(let rule), .real(let number)): rule.format(number)
        case (_, .integer(let number)): String(number)
        case (_, .real(let number)): number.description
        case (_, .text(let text)): TOMLText.quoted(text)
        case (_, .flag(let flag)): String(flag)
        case (_, .line(.offset(let offset))): String(offset)
        case (_, .line(.name(let name))): TOMLText.quoted(name)
        }
    }

    /// A string of only spaces is as useless as an empty one: no device or file has that name.
    private static func isBlank(_ text: String) -> Bool {
        text.allSatisfy(\.isWhitespace)
    }
}
