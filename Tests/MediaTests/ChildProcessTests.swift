import Contracts
import Foundation
import Isolation
import TestSupport
import Testing

@testable import Media

/// Media-worker children: they run at a lower CPU priority, under their limits, with none of the daemon's
/// secrets, and serve many tasks one after another.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.executable != nil)))
struct ChildProcessTests {
    static let secrets = [
        "DATABASE_URL": "postgres://owner:pg-secret-1@127.0.0.1/db", "OPS_TOKEN": "ops-secret-2", "IMAP_PASSWORD": "imap-secret-3",
        "JWT_SECRET": "jwt-secret-4-jwt-secret-4-jwt-secret-4", "LLM_ROUTER_API_KEY": "llm-secret-5",
        "AWS_SECRET_ACCESS_KEY": "aws-secret-6", "MCP_API_KEY": "mcp-secret-7",
    ]

    /// Workers whose parent environment holds every secret the daemon may have.
    func workers(niceness: Int = 10) -> IsolatedWorkers {
        var environment = ProcessInfo.processInfo.environment
        environment.merge(Self.secrets) { $1 }
        return IsolatedWorkers(
            configuration: .init(
                executable: TestEnvironment.executable,
                wallSeconds: 120,
                niceness: niceness,
                environment: environment
            )
        )
    }

    /// A live child, idle after probing a file.
    func liveChild(_ workers: IsolatedWorkers) async throws -> pid_t {
        _ = try await workers.probe(file: TestEnvironment.testmedia("photo.jpg"), limits: MediaLimits())
        return try #require(workers.idleChildPIDs.first)
    }

    @Test func aLiveChildsEnvironmentHoldsNoSecret() async throws {
        let workers = workers()
        let pid = try await liveChild(workers)
        let environ = try Data(contentsOf: URL(filePath: "/proc/\(pid)/environ"))
        let variables = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        #expect(variables.contains { $0.hasPrefix("PATH=") })
        for (name, value) in Self.secrets {
            #expect(!variables.contains { $0.hasPrefix("\(name)=") || $0.contains(value) }, "\(name) reached the child")
        }
        let commandLine = try String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)
        #expect(commandLine.contains("media-worker\0serve"), "the child is the generic dispatcher")
        withExtendedLifetime(workers) {}
    }

    @Test func oneChildServesTaskAfterTask() async throws {
        let workers = workers()
        let pid = try await liveChild(workers)
        _ = try await workers.probe(file: TestEnvironment.testmedia("short.mp4"), limits: MediaLimits())
        _ = try await workers.keyframesOfTheFirstScene()
        #expect(workers.idleChildPIDs == [pid], "the same warm child answered again")
    }

    @Test func asManyChildrenAsWorkAtOnceStayWarmForTheNextRound() async throws {
        // Intake parses four messages at once: a pool that keeps fewer starts children for every batch.
        var configuration = workers().configuration
        configuration.maxIdleChildren = 3
        let workers = IsolatedWorkers(configuration: configuration)
        func round() async throws -> Set<pid_t> {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask { _ = try await workers.probe(file: TestEnvironment.testmedia("photo.jpg"), limits: MediaLimits()) }
                }
                try await group.waitForAll()
            }
            return Set(workers.idleChildPIDs)
        }
        let first = try await round()
        #expect(!first.isEmpty && first.count <= 3)
        let second = try await round()
        #expect(second.count <= 3)
        #expect(first.isSubset(of: second), "every child of the first round served the second and is warm again")
    }

    @Test func aChildThatFailedATaskWithAReasonIsKept() async throws {
        let workers = workers()
        let pid = try await liveChild(workers)
        await #expect(throws: IsolationError.self) {
            try await workers.probe(file: TestEnvironment.testmedia("not-media.mp4"), limits: MediaLimits())
        }
        #expect(workers.idleChildPIDs == [pid], "a refusal is an answer, not a crash")
    }

    @Test func theChildYieldsTheCPU() async throws {
        errno = 0
        let own = Int(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
        for niceness in [10, 3] {
            // Kept until read: a pool that is gone closes its children, and their pids may be reused.
            let workers = workers(niceness: niceness)
            let pid = try await liveChild(workers)
            errno = 0
            #expect(Int(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(pid))) == min(own + niceness, 19))
            withExtendedLifetime(workers) {}
        }
        // The daemon itself is not lowered.
        #expect(Int(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)) == own)
    }

    @Test func anIdleChildAndTheThreadsItStartsRunUnderSCHEDIDLE() async throws {
        var configuration = workers().configuration
        configuration.idleScheduling = true
        // An idle child gets a core only when nothing else wants it: on a machine busy with other suites it may
        // wait minutes for one while it still works, so this test gives it a day (what it checks is the policy).
        configuration.wallSeconds = 86_400
        let workers = IsolatedWorkers(configuration: configuration)
        // Scene analysis decodes on threads the child starts after it began.
        _ = try await workers.keyframesOfTheFirstScene()
        let pid = try #require(workers.idleChildPIDs.first)
        let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").compactMap { pid_t($0) }
        #expect(!threads.isEmpty)
        let schedIdle: Int32 = 5  // <sched.h>'s SCHED_IDLE, defined only under _GNU_SOURCE
        for thread in threads {
            #expect(sched_getscheduler(thread) == schedIdle, "thread \(thread) of the child")
        }
        withExtendedLifetime(workers) {}
        // The daemon itself is not lowered.
        #expect(sched_getscheduler(0) == SCHED_OTHER)
    }

    @Test func aChildTurnsTransparentHugePagesOff() async throws {
        // The pool outlives the reading: a pool that is gone closes its children, and their pids may be reused.
        let workers = workers()
        let pid = try await liveChild(workers)
        func thpEnabled(_ process: String) throws -> String? {
            try String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8)
                .split(separator: "\n")
                .first { $0.hasPrefix("THP_enabled:") }
                .map { $0.dropFirst("THP_enabled:".count).trimmingCharacters(in: .whitespaces) }
        }
        // Linux shows the flag from 5.0 on; without it there is nothing to read.
        guard try thpEnabled("self") != nil else { return }
        #expect(try thpEnabled("\(pid)") == "0")
        withExtendedLifetime(workers) {}
    }

    @Test func theConfigurationKeepsNicenessInRange() {
        #expect(IsolatedWorkers.Configuration(executable: nil, niceness: 40).niceness == 19)
        #expect(IsolatedWorkers.Configuration(executable: nil, niceness: -5).niceness == 0)
        #expect(IsolatedWorkers.Configuration(executable: nil).niceness == 10)
    }

    @Test func theChildEnvironmentIsAnAllowList() {
        let child = WorkerEnvironment.child(of: ["PATH": "/bin", "DATABASE_URL": "x", "LANG": "C.UTF-8", "SOMETHING_NEW": "y"])
        #expect(child == ["PATH": "/bin", "LANG": "C.UTF-8", "OMP_THREAD_LIMIT": "1"])
    }
}

extension IsolatedWorkers {
    /// A second kind of task through the same child: keyframes of a short video's first scene.
    fileprivate func keyframesOfTheFirstScene() async throws -> Int {
        let folder = try TestEnvironment.temporaryDirectory("warm-keyframes")
        let scene = Scene(startFrame: 0, endFrame: 10, startSeconds: 0, endSeconds: 0.4)
        return try await keyframes(
            file: TestEnvironment.testmedia("short.mp4"),
            options: .init(scenes: [scene], limits: MediaLimits(), outputDirectory: folder.path)
        ).count
    }
}
