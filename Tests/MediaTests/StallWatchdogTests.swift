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

    /// Waits for a condition that must come true, with no deadline: on a loaded machine a test's clock runs
    /// while it waits for a thread, so a deadline could fire while the process under test still starts up.
    func eventually(_ condition: () throws -> Bool) async throws {
        while try !condition() { try await Task.sleep(for: .milliseconds(10)) }
    }

    @Test func aProcessBlockedOnAnEmptyPipeShowsNoProgressUntilAByteComes() async throws {
        let input = Pipe()
        let process = Process()
        process.executableURL = URL(filePath: "/bin/cat")
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { end(process) }
        let pid = process.processIdentifier
        // Once it waits in read(2) on the empty pipe, none of it runs until a byte comes.
        try await eventually { ((try? String(contentsOfFile: "/proc/\(pid)/wchan", encoding: .utf8)) ?? "").contains("pipe_read") }
        let blocked = try #require(ThreadActivity.sample(pid: pid))
        try await Task.sleep(for: .milliseconds(300))
        #expect(!blocked.runnable)
        #expect(ThreadActivity.sample(pid: pid) == blocked)
        #expect(blocked.times.count == 1 && blocked.times.values.allSatisfy { $0.count == 2 && $0[0] > 0 })
        // A byte wakes it: it runs, and the sample changes.
        input.fileHandleForWriting.write(Data("x".utf8))
        try await eventually { ThreadActivity.sample(pid: pid) != blocked }
    }

    @Test func aBusyProcessIsRunnableAndAStoppedOneIsNot() async throws {
        let process = try start("while :; do :; done")
        defer { end(process) }
        let pid = process.processIdentifier
        // Once the shell has started its loop, it is running or waiting for a core on a busy machine: `R` either way.
        try await eventually { try #require(ThreadActivity.sample(pid: pid)).runnable }
        for _ in 0..<5 {
            #expect(try #require(ThreadActivity.sample(pid: pid)).runnable)
            try await Task.sleep(for: .milliseconds(20))
        }
        try await StoppedProcess.stop(pid)
        let stopped = try #require(ThreadActivity.sample(pid: pid))
        try await Task.sleep(for: .milliseconds(300))
        #expect(!stopped.runnable)
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
    /// although its wall-clock limit is 600 s (were it not, the error would name that limit); the pool then
    /// serves the next task in a new child.
    @Test func aChildThatMakesNoProgressIsKilledAtItsStallLimit() async throws {
        let workers = IsolatedWorkers(configuration: .init(executable: TestEnvironment.executable, wallSeconds: 600, stallSeconds: 2))
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
