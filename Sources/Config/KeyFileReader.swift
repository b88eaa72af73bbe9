#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import VictronInstantReadout

/// Reads the `key_file` of every `victron-ble` battery once the file has been validated, and
/// warns when one is readable by every user of the machine (a key lets anyone near the bank
/// read it, and is kept out of the config for exactly that reason).
enum KeyFileReader {
    /// Fills in each key read from a file; a file that cannot be read or holds no key is a problem
    /// with the line of its `key_file`. Relative paths are taken from the config file's folder.
    static func resolve(_ configuration: inout Configuration, file: String, lines: SourceLineIndex) throws(ConfigurationError) {
        var problems: [ConfigurationProblem] = []
        let offset = configuration.busBatteryCount
        for index in configuration.batteries.indices {
            guard var link = configuration.batteries[index].bluetooth, let keyFile = link.keyFile else { continue }
            let number = configuration.batteries[index].number
            let keyPath = BatteryKeySpec.path(battery: number - offset, key: "key_file")
            let path = keyFile.hasPrefix("/") ? keyFile : folder(of: file) + keyFile
            switch ConfigurationFileReader.contents(ofFile: path) {
            case .failure(let problem):
                problems.append(ConfigurationProblem(
                    key: keyPath, line: lines.line(of: keyPath),
                    message: "\(keyPath) = \(TOMLText.quoted(keyFile)): \(problem.message.replacingConfiguration()) (it holds battery \(number)'s Instant Readout key)"))
            case .success(let text):
                do throws(InstantReadoutKeyError) {
                    link.key = try InstantReadoutKey(hex: text)
                    configuration.batteries[index].bluetooth = link
                } catch {
                    problems.append(ConfigurationProblem(key: keyPath, line: lines.line(of: keyPath), message: "\(keyPath) = \(TOMLText.quoted(keyFile)): \(error)"))
                }
                if let mode = readableByOthers(path) {
                    configuration.warnings.append(
                        "\(keyPath) = \(TOMLText.quoted(keyFile)) is readable by every user (mode \(mode)): battery \(number)'s key lets anyone "
                            + "decrypt its readout; chmod 600 \(keyFile) (or 640 with group smallbmsd)")
                }
            }
        }
        if var link = configuration.vedirect?.bluetooth, let keyFile = link.keyFile {
            let keyPath = "vedirect.key_file"
            let path = keyFile.hasPrefix("/") ? keyFile : folder(of: file) + keyFile
            switch ConfigurationFileReader.contents(ofFile: path) {
            case .failure(let problem):
                problems.append(ConfigurationProblem(key: keyPath, line: lines.line(of: keyPath), message: "\(keyPath) = \(TOMLText.quoted(keyFile)): \(problem.message.replacingConfiguration())"))
            case .success(let text):
                do throws(InstantReadoutKeyError) {
                    link.key = try InstantReadoutKey(hex: text)
                    configuration.vedirect?.bluetooth = link
                } catch {
                    problems.append(ConfigurationProblem(key: keyPath, line: lines.line(of: keyPath), message: "\(keyPath) = \(TOMLText.quoted(keyFile)): \(error)"))
                }
                if let mode = readableByOthers(path) {
                    configuration.warnings.append("\(keyPath) = \(TOMLText.quoted(keyFile)) is readable by every user (mode \(mode)): chmod 600 \(keyFile) (or 640 with group smallbmsd)")
                }
            }
        }
        guard problems.isEmpty else { throw ConfigurationError(file: file, problems: problems) }
    }

    /// The file's mode in octal (`0644`) when others may read it, else nil.
    static func readableByOthers(_ path: String) -> String? {
        var information = stat()
        guard stat(path, &information) == 0, information.st_mode & S_IROTH != 0 else { return nil }
        return "0" + String(information.st_mode & 0o777, radix: 8)
    }

    private static func folder(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "" }
        return String(file[...slash])
    }
}

private extension String {
    /// The file reader words its messages for the config file; here it is a key file.
    func replacingConfiguration() -> String {
        var text = self
        if let range = text.range(of: "the configuration") { text.replaceSubrange(range, with: "the key file") }
        return text
    }
}
