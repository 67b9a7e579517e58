// Which rows and buckets a history request gets: the step rounded up to a stored resolution, the coarsest level
// that divides it, the finest one kept that far back, and the finer levels filling in what is not merged yet.
import Testing
@testable import History

@Suite struct HistoryQueryTests {
    let ladder = HistoryLadder(step: 60)
    let now: Int64 = 1_796_180_400 + 1800

    @Test func theStepIsRoundedUpToAMultipleOfAStoredResolution() throws {
        let query = try HistoryQuery(since: now - 3600, until: now, step: 90, ladder: ladder, now: now)
        #expect(query.step == 120 && query.level == 0)
        let hourly = try HistoryQuery(since: now - 86_400, until: now, step: 7200, ladder: ladder, now: now)
        #expect(hourly.step == 7200 && hourly.level == 1)
        #expect(hourly.first % 7200 == 0 && hourly.count == 13)
    }

    @Test func aRangeBeyondTheStepRowsRetentionIsAnsweredFromHourlyRows() throws {
        let query = try HistoryQuery(since: now - 30 * 86_400, until: now, step: 60, ladder: ladder, now: now)
        #expect(query.level == 1 && query.step == 3600)
    }

    @Test func theDefaultStepGivesAtMostThreeHundredRoundBuckets() throws {
        let day = try HistoryQuery(since: now - 86_400, until: now, step: nil, ladder: ladder, now: now)
        #expect(day.step == 300 && day.count <= 301)
        let hours = try HistoryQuery(since: now - 3 * 3600, until: now, step: nil, ladder: ladder, now: now)
        #expect(hours.step == 60)
    }

    @Test func aReversedRangeHasNoBucketAndATooLongOneGetsALongerStep() throws {
        #expect(try HistoryQuery(since: now, until: now - 1, step: nil, ladder: ladder, now: now).count == 0)
        let long = try HistoryQuery(since: now - 200 * 86_400, until: now, step: 60,
                                    ladder: HistoryLadder(step: 60, retention: [400 * 86_400, 400 * 86_400, 400 * 86_400]), now: now)
        #expect(long.count <= HistoryQuery.maximumBuckets && long.step % 60 == 0 && long.step > 60)
    }

    @Test func coarseRowsAreReadWhereMergedAndFinerOnesAfter() {
        let segments = ladder.segments(level: 2, from: 0, until: 100, mergedThrough: [0, 80, 50])
        #expect(segments.map(\.level) == [2, 1, 0])
        #expect(segments.map(\.from) == [0, 50, 80] && segments.map(\.until) == [50, 80, 100])
        let nothingMerged = ladder.segments(level: 1, from: 10, until: 20, mergedThrough: [0, .min, .min])
        #expect(nothingMerged.map(\.level) == [0])
    }
}
