import Contracts
import Foundation
import Isolation
import Media
import Pipeline
import TestSupport
import Testing

@testable import Reels

/// Reels composed together share one child; when that child dies or hangs, each reel is composed again in a
/// child of its own, so a crash costs at most the reel that caused it, and each reel's notes say why.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.executable != nil)))
struct ComposeTogetherFallbackTests {
    /// Six-second TikTok and LinkedIn cuts of one video, written to a new temporary folder.
    static func cuts(in folderName: String) throws -> [ReelJob] {
        let folder = try TestEnvironment.temporaryDirectory(folderName)
        return ["tiktok", "linkedin"].map { name in
            ReelFixtures.job(name, output: folder.appending(path: "\(name).mp4")) { job in
                job.video = TestEnvironment.testmedia("cuts-720p.mp4").path
                job.seconds = 6
                job.words = []
            }
        }
    }

    @Test(.timeLimit(.minutes(20)))
    func aChildKilledWhileComposingTogetherLeavesEachReelComposedAlone() async throws {
        let workers = IsolatedWorkers(configuration: .init(executable: TestEnvironment.executable, wallSeconds: 600))
        // A warm child: the next task goes to it.
        _ = try await workers.probe(file: TestEnvironment.testmedia("photo.jpg"), limits: MediaLimits())
        let pid = try #require(workers.idleChildPIDs.first)
        let jobs = try Self.cuts(in: "together-killed")
        let composing = Task { await workers.composeTogether(jobs) }
        // Once the warm child has taken the task, kill it.
        while workers.idleChildPIDs.contains(pid) { try await Task.sleep(for: .milliseconds(5)) }
        #expect(kill(pid, SIGKILL) == 0)
        let results = await composing.value
        #expect(results.count == 2)
        for (job, result) in zip(jobs, results) {
            let reel = try result.get()
            #expect(reel.frames == 180 && reel.notes.allSatisfy { !$0.contains("one decode") }, "\(job.template.name): composed alone")
            #expect(reel.notes.contains { $0.hasPrefix("composed alone") && $0.contains("crashed") }, "\(reel.notes)")
            #expect(FileManager.default.fileExists(atPath: job.output))
        }
        #expect(!workers.idleChildPIDs.contains(pid))
    }

    /// A child that hangs while composing together (stopped here: none of its threads runs) is ended by the
    /// stall watchdog after 3 s, not at the reels' summed wall-clock limit (3.7 hours for these two templates;
    /// were it not, the notes would name that limit), and each reel is then composed alone.
    @Test func aHungChildComposingTogetherIsEndedByTheStallWatchdog() async throws {
        let workers = IsolatedWorkers(configuration: .init(executable: TestEnvironment.executable, stallSeconds: 3))
        _ = try await workers.probe(file: TestEnvironment.testmedia("photo.jpg"), limits: MediaLimits())
        let pid = try #require(workers.idleChildPIDs.first)
        // The warm child takes the next task, and never runs it.
        try await StoppedProcess.stop(pid)
        let jobs = try Self.cuts(in: "together-hung")
        let results = await workers.composeTogether(jobs)
        #expect(results.count == 2)
        for result in results {
            let reel = try result.get()
            #expect(reel.frames == 180)
            #expect(reel.notes.contains { $0.hasPrefix("composed alone") && $0.contains("made no progress for 3 s") }, "\(reel.notes)")
        }
        #expect(!workers.idleChildPIDs.contains(pid))
    }
}
