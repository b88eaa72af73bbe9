import Pipeline
import Testing

@Suite("UTC time: incident names and history days")
struct UTCTimeTests {
    @Test func epochSeconds_knownInstant_givesItsCalendarText() {
        // 2024-02-29T23:59:59Z is 1709251199 (a leap day, the last second before March).
        let time = UTCTime(epochSeconds: Int64(1_709_251_199))
        #expect(time.isoText == "2024-02-29T23:59:59Z")
        #expect(time.compactText == "20240229T235959Z")
        #expect(UTCTime(epochSeconds: Int64(1_709_251_200)).dayText == "2024-03-01")
    }

    @Test func parsing_dayAndFullTime_roundTrips() {
        for seconds: Int64 in [0, 86_399, 951_782_400, 1_709_251_199, 1_796_000_000] {
            let time = UTCTime(epochSeconds: seconds)
            #expect(UTCTime(parsing: time.isoText) == time)
        }
        #expect(UTCTime(parsing: "2026-12-02")?.isoText == "2026-12-02T00:00:00Z")
        #expect(UTCTime(parsing: "2026-13-02") == nil)
        #expect(UTCTime(parsing: "yesterday") == nil)
    }
}
