#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EdgeIO

/// Writes one line to standard error (Glibc's `stderr` global is not usable in Swift 6 mode).
func printError(_ message: String) {
    let line = message.hasSuffix("\n") ? message : message + "\n"
    _ = DescriptorWriter.writeAll(2, Array(line.utf8), whenFull: .giveUp)
}
