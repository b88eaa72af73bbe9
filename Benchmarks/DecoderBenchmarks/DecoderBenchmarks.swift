import BMSCore
import Pipeline
import Benchmark
import BenchmarkSupport
import M8Bus

#if canImport(Glibc)
import Glibc
#endif

/// Decoder throughput (MB/s and sentences/s) on clean and noisy streams of 4- and 8-cell
/// sentences, and the allocations the daemon's data path makes per sentence.
///
/// Every benchmark body handles 1000 sentences and runs with `scalingFactor: .kilo`, so the
/// "(scaled)" figures `swift package benchmark` prints are per sentence: time per sentence,
/// sentences per second (`throughput`) and mallocs per sentence (`mallocCountTotal`).
/// `MB/s` is measured inside the body (bytes fed / time spent feeding) and is not scaled.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .instructions, .mallocCountTotal, megabytesPerSecond],
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 2_000
    )

    for cells in [4, 8] {
        for noisy in [false, true] {
            let stream = BusStream(sentences: 1000, cells: cells, noisy: noisy)
            // Reads of 4096 bytes, the daemon's read buffer: the decoder sees what `read(2)` hands over.
            let chunks = stream.chunks(of: 4096)
            var decoder = SentenceDecoder()
            var delivered = 0
            let name = "Decoder \(cells)-cell \(noisy ? "noisy" : "clean") (\(stream.bytes.count / 1000) B/sentence)"
            Benchmark(name) { benchmark in
                let start = monotonicNanoseconds()
                for chunk in chunks {
                    chunk.withUnsafeBytes { bytes in
                        decoder.feed(bytes) { sentence in
                            delivered &+= sentence.cellMillivolts.count
                        }
                    }
                }
                let elapsed = monotonicNanoseconds() - start
                blackHole(delivered)
                benchmark.measurement(megabytesPerSecond, Int(Double(stream.bytes.count) * 1e3 / Double(max(elapsed, 1))))
            } teardown: {
                // Every good sentence of the stream must have come out (the stream is built so
                // that none repeats a battery's previous seq, even across iterations).
                let written = decoder.counters.sentences + decoder.counters.bad + decoder.counters.repeats
                precondition(decoder.counters.repeats == 0, "\(name): repeats \(decoder.counters)")
                precondition(written > 0 && decoder.counters.sentences % stream.goodSentences == 0,
                             "\(name): \(decoder.counters), \(stream.goodSentences) good per pass")
            }
        }
    }

    // The daemon's whole data path for one read holding one sentence (20 batteries x 8 cells
    // at 10 Hz each is 200 reads a second): decoder, rule core in steady state (every output
    // ON, no change), the decision merged. This is what `readSerial` does per read.
    do {
        var settings = Settings()
        settings.batteryCount = 20
        settings.cellsPerBattery = 8
        let stream = BusStream(sentences: 1000, cells: 8, noisy: false)
        let sentences = stream.sentences()
        precondition(sentences.count == 1000)
        var bus = DecodingController<M8InputDecoder>(settings: settings, start: .origin)
        var now = Instant.origin
        var changes = 0
        // Six seconds of healthy data brings every output ON (recover_s is 5 s).
        for _ in 0..<2 {
            for sentence in sentences {
                now = now + .milliseconds(5)
                _ = sentence.withUnsafeBytes { bus.receive($0, at: now) }
            }
        }
        precondition(bus.controller.outputLevels[.load] == .on && bus.controller.outputLevels[.charger] == .on)
        Benchmark("Data path: decoder + rule core, 20 x 8 cells, one sentence per read") { benchmark in
            for sentence in sentences {
                now = now + .milliseconds(5)
                let decision = sentence.withUnsafeBytes { bus.receive($0, at: now) }
                changes &+= decision.changes.count
            }
        } teardown: {
            precondition(changes == 0, "the steady state changed an output")
        }
    }
}

let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)

func monotonicNanoseconds() -> Int {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return spec.tv_sec * 1_000_000_000 + spec.tv_nsec
}
