import BMSCore
import Pipeline
import BenchmarkSupport
import M8Bus

/// Runs one hot path COUNT times in steady state, for `valgrind --tool=callgrind`: instruction
/// counts do not care that the machine is busy, where wall-clock benchmarks do. Run it twice,
/// with COUNT and with 0, and divide the difference of the totals by COUNT (`Tools/callgrind.sh`
/// does that) to get instructions per operation without the set-up.
///
///   CallgrindDriver rulecore BATTERIES CELLS COUNT   handle(.reading) + evaluate
///   CallgrindDriver evaluate BATTERIES CELLS COUNT   evaluate(at:) alone
///   CallgrindDriver decoder CELLS clean|noisy COUNT  COUNT passes over a 1000-sentence stream
///   CallgrindDriver datapath COUNT                   DecodingController.receive, one 8-cell sentence per read, 20 batteries
let arguments = CommandLine.arguments
func argument(_ index: Int) -> Int {
    guard index < arguments.count, let value = Int(arguments[index]) else {
        fatalError("usage: see the comment at the top of main.swift")
    }
    return value
}

switch arguments.count > 1 ? arguments[1] : "" {
case "rulecore":
    var bank = SteadyBank(batteries: argument(2), cells: argument(3))
    for _ in 0..<argument(4) { bank.handleNext() }
    bank.checkSteady()
case "evaluate":
    var bank = SteadyBank(batteries: argument(2), cells: argument(3))
    for _ in 0..<argument(4) { bank.evaluateNext() }
    bank.checkSteady()
case "decoder":
    let stream = BusStream(sentences: 1000, cells: argument(2), noisy: arguments[3] == "noisy")
    let chunks = stream.chunks(of: 4096)
    var decoder = SentenceDecoder()
    var cells = 0
    for _ in 0..<argument(4) {
        for chunk in chunks {
            chunk.withUnsafeBytes { decoder.feed($0) { cells &+= $0.cellMillivolts.count } }
        }
    }
    print("bytes per pass \(stream.bytes.count), good sentences per pass \(stream.goodSentences), cells \(cells)")
case "datapath":
    var settings = Settings()
    settings.batteryCount = 20
    settings.cellsPerBattery = 8
    let sentences = BusStream(sentences: 1000, cells: 8, noisy: false).sentences()
    var bus = DecodingController<M8InputDecoder>(settings: settings, start: .origin)
    var now = Instant.origin
    var changes = 0
    let warmUp = 2 * sentences.count
    for index in 0..<(warmUp + argument(2)) {
        now = now + .milliseconds(5)
        let decision = sentences[index % sentences.count].withUnsafeBytes { bus.receive($0, at: now) }
        if index >= warmUp { changes += decision.changes.count }
    }
    precondition(changes == 0 && bus.controller.outputLevels[.load] == .on, "not in steady state")
default:
    fatalError("usage: see the comment at the top of main.swift")
}
