/// What the controller knows of every battery's link: when its latest fresh valid reading came,
/// why its latest reading cannot be trusted (if it cannot), and whether it ever reported.
///
/// Kept column by column, with the number of problems and of silent batteries alongside: the
/// rules walk every battery's freshness on every input, and in the steady state (no problem, all
/// reported) that walk reads only the instants, a few cache lines for a 20-battery bank.
struct BatteryLinks: Sendable {
    /// The instant of each battery's latest fresh valid reading (the controller's start, or the
    /// reload that added it, before the first); index 0 is battery 1.
    private(set) var lastFresh: [Instant]
    /// Why each battery's latest reading cannot be trusted, nil when it can.
    private(set) var problems: [Reason?]
    /// Whether a valid reading ever arrived from each battery.
    private(set) var hasReported: [Bool]
    /// How many entries of `problems` are not nil.
    private(set) var problemCount = 0
    /// How many batteries never reported.
    private(set) var unreportedCount: Int

    /// `count` batteries, none reported yet, each counted fresh from `start`.
    init(count: Int, start: Instant) {
        lastFresh = Array(repeating: start, count: count)
        problems = Array(repeating: nil, count: count)
        hasReported = Array(repeating: false, count: count)
        unreportedCount = count
    }

    /// The batteries' indices (0 is battery 1).
    var indices: Range<Int> { lastFresh.indices }

    /// Whether every battery has reported at least once.
    var allReported: Bool { unreportedCount == 0 }

    /// Whether the battery at `index` has no problem (the steady state reads no Reason).
    func isTrusted(_ index: Int) -> Bool { problemCount == 0 || problems[index] == nil }

    /// The first battery's problem, in battery order, or nil when none has one.
    var firstProblem: Reason? {
        guard problemCount > 0 else { return nil }
        return problems.first { $0 != nil } ?? nil
    }

    /// The latest reading of the battery at `index` could not be trusted (or, with nil, can again
    /// be, without being fresh: a reload's new cell count).
    mutating func setProblem(_ problem: Reason?, at index: Int) {
        problemCount += (problem != nil ? 1 : 0) - (problems[index] != nil ? 1 : 0)
        problems[index] = problem
    }

    /// A fresh valid reading of the battery at `index` arrived at `now`.
    mutating func markFresh(at index: Int, _ now: Instant) {
        if problems[index] != nil { setProblem(nil, at: index) }
        lastFresh[index] = now
        if !hasReported[index] {
            hasReported[index] = true
            unreportedCount -= 1
        }
    }

    /// Keeps the first `count` batteries' links; a battery added gets a full comms timeout from `now`.
    mutating func resize(to count: Int, at now: Instant) {
        let kept = min(count, lastFresh.count)
        lastFresh = Array(lastFresh.prefix(kept)) + Array(repeating: now, count: count - kept)
        problems = Array(problems.prefix(kept)) + Array(repeating: nil, count: count - kept)
        hasReported = Array(hasReported.prefix(kept)) + Array(repeating: false, count: count - kept)
        problemCount = problems.filter { $0 != nil }.count
        unreportedCount = hasReported.filter { !$0 }.count
    }
}
