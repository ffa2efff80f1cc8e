import Intake
import Testing

@testable import Workers

/// When the poller polls again: at once while polls keep finding new mail, after the interval otherwise.
struct MailPollerServiceTests {
    let interval = Duration.seconds(30)

    func report(ingested: Int = 0, refused: Int = 0, duplicates: Int = 0, refiled: Int = 0) -> MailIntake.PollReport {
        var report = MailIntake.PollReport()
        report.ingested = ingested
        report.refused = refused
        report.duplicates = duplicates
        report.refiled = refiled
        return report
    }

    @Test func aPollThatTookInNewMailIsFollowedAtOnce() {
        for taken in [report(ingested: 1), report(refused: 1), report(duplicates: 1), report(ingested: 3, refiled: 2)] {
            #expect(MailPollerService.pause(after: taken, batchSize: 200, interval: interval) == .zero)
        }
    }

    @Test func aPollThatFoundNothingNewWaitsTheInterval() {
        #expect(MailPollerService.pause(after: report(), batchSize: 200, interval: interval) == interval)
        // A message whose move keeps failing is refiled on every poll: it must not keep the poller spinning.
        #expect(MailPollerService.pause(after: report(refiled: 1), batchSize: 200, interval: interval) == interval)
    }

    @Test func aFullBatchIsFollowedAtOnceEvenIfOnlyRefiled() {
        #expect(MailPollerService.pause(after: report(refiled: 200), batchSize: 200, interval: interval) == .zero)
    }
}
