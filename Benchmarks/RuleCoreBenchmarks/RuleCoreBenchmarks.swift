import BMSCore
import Benchmark
import BenchmarkSupport

/// One rule-core evaluation in steady state: `Controller.handle(.reading(...), at:)`, which
/// takes in the reading and evaluates every rule at that instant (no output changes: every
/// output is ON and stays ON). For 1 battery of 4 cells and for 20 batteries of 8 cells, plus
/// `evaluate(at:)` alone (a timer firing with no new data) for 20 batteries.
///
/// Bodies run 1000 evaluations with `scalingFactor: .kilo`: the "(scaled)" figures are per evaluation.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .instructions, .mallocCountTotal],
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 2_000
    )

    for (batteries, cells) in [(1, 4), (20, 8)] {
        var bank = SteadyBank(batteries: batteries, cells: cells)
        Benchmark("Rule core: handle(.reading) + evaluate, \(batteries) x \(cells) cells") { benchmark in
            for _ in benchmark.scaledIterations {
                bank.handleNext()
            }
        } teardown: {
            bank.checkSteady()
        }
    }

    var bank = SteadyBank(batteries: 20, cells: 8)
    Benchmark("Rule core: evaluate(at:) alone, 20 x 8 cells") { benchmark in
        for _ in benchmark.scaledIterations {
            bank.evaluateNext()
        }
    } teardown: {
        bank.checkSteady()
    }
}

