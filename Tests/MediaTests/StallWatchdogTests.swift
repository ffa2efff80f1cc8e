import Contracts
import Foundation
import Media
import TestSupport
import Testing

@testable import Isolation

/// How the kernel's view of a process's threads tells a hang from work, and a hung child ended by it long
/// before its wall-clock limit.
@Suite struct ThreadActivityTests {
    /// Starts `/bin/sh -c script`; the caller ends it.
    func start(_ script: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(filePath: "/bin/sh")
        process.arguments = ["-c", script]
        try process.run()
        return process
    }

    func end(_ process: Process) {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    @Test(.timeLimit(.minutes(1)))
    func aSleepingProcessShowsNoProgress() async throws {
        let process = try start("exec sleep 600")
        defer { end(process) }
        let pid = process.processIdentifier
        // Once it has started and sleeps, two samples are the same: wait for that (a sampler that always saw
        // progress would reach the time limit), then it stays so.
        var quiet = try #require(ThreadActivity.sample(pid: pid))
        while true {
            try await Task.sleep(for: .milliseconds(200))
            let next = try #require(ThreadActivity.sample(pid: pid))
            if next == quiet && !next.runnable { break }
            quiet = next
        }
        try await Task.sleep(for: .milliseconds(500))
        #expect(ThreadActivity.sample(pid: pid) == quiet)
        #expect(quiet.times.count == 1 && quiet.times.values.allSatisfy { $0.count == 2 && $0[0] > 0 })
    }

    @Test(.timeLimit(.minutes(1)))
    func aBusyProcessIsRunnableAndAStoppedOneIsNot() async throws {
        let process = try start("while :; do :; done")
        defer { end(process) }
        let pid = process.processIdentifier
        // Once the shell has started its loop, it is running or waiting for a core on a busy machine: `R` either
        // way (a sampler that never saw it would reach the time limit).
        while try !#require(ThreadActivity.sample(pid: pid)).runnable { try await Task.sleep(for: .milliseconds(20)) }
        for _ in 0..<5 {
            #expect(try #require(ThreadActivity.sample(pid: pid)).runnable)
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(kill(pid, SIGSTOP) == 0)
        var stopped = try #require(ThreadActivity.sample(pid: pid))
        while stopped.runnable {
            try await Task.sleep(for: .milliseconds(20))
            stopped = try #require(ThreadActivity.sample(pid: pid))
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(ThreadActivity.sample(pid: pid) == stopped, "a stopped process does not run")
        #expect(kill(pid, SIGCONT) == 0)
    }

    @Test func aProcessThatIsGoneHasNoSample() throws {
        let process = try start("exit 0")
        process.waitUntilExit()
        #expect(ThreadActivity.sample(pid: process.processIdentifier) == nil)
    }
}

@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.executable != nil)))
struct StallWatchdogTests {
    /// A child that never answers (stopped: none of its threads runs) is killed at its stall limit, 2 s here,
    /// although its wall-clock limit is an hour; the pool then serves the next task in a new child.
    @Test(.timeLimit(.minutes(10)))
    func aChildThatMakesNoProgressIsKilledAtItsStallLimit() async throws {
        let workers = IsolatedWorkers(configuration: .init(executable: TestEnvironment.executable, wallSeconds: 3600, stallSeconds: 2))
        let photo = TestEnvironment.testmedia("photo.jpg")
        _ = try await workers.probe(file: photo, limits: MediaLimits())
        let pid = try #require(workers.idleChildPIDs.first)
        try await StoppedProcess.stop(pid)
        await #expect {
            _ = try await workers.probe(file: photo, limits: MediaLimits())
        } throws: { error in
            let error = try #require(error as? IsolationError)
            return error.diedOnInput && error.description.contains("made no progress for 2 s")
        }
        #expect(!workers.idleChildPIDs.contains(pid))
        let probe = try await workers.probe(file: photo, limits: MediaLimits())
        #expect(probe.kind == "image")
    }

    @Test func theDefaultStallLimitIsAMinuteAndZeroTurnsItOff() {
        #expect(IsolatedWorkers.Configuration(executable: nil).stallSeconds == 60)
        #expect(IsolatedWorkers.Configuration(executable: nil, stallSeconds: 0).stallSeconds == nil)
    }
}
