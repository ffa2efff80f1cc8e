import Foundation
import Testing
@testable import Media

/// The media-worker child's wrappers: it runs at a lower CPU priority and under its limits, and the daemon's
/// priority is left alone.
struct ChildProcessTests {
    /// `nice` with no arguments prints the niceness it runs at, so the child reports its own priority.
    static let niceExecutable = ChildProcess.nice.map { URL(filePath: $0) }

    func childNiceness(_ niceness: Int) async throws -> Int {
        let executable = try #require(Self.niceExecutable)
        let limits = ChildProcess.Limits(cpuSeconds: 10, memoryBytes: 1 << 30, wallSeconds: 30, niceness: niceness)
        let output = try await ChildProcess.run(executable: executable, arguments: [], limits: limits)
        return try #require(Int(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    @Test(.enabled(if: niceExecutable != nil))
    func theChildYieldsTheCPU() async throws {
        errno = 0
        let own = Int(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
        #expect(try await childNiceness(10) == min(own + 10, 19))
        #expect(try await childNiceness(3) == min(own + 3, 19))
        // The daemon itself is not lowered.
        #expect(Int(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)) == own)
    }

    @Test(.enabled(if: niceExecutable != nil))
    func nicenessZeroRunsAtTheDaemonsPriority() async throws {
        let own = Int(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
        #expect(try await childNiceness(0) == own)
    }

    @Test func theCommandLineWrapsTheExecutable() {
        let limits = ChildProcess.Limits(cpuSeconds: 7, memoryBytes: 1 << 20, wallSeconds: 1, niceness: 10)
        let command = ChildProcess.commandLine(executable: URL(filePath: "/x/drsocial-intake"), arguments: ["media-worker", "probe"], limits: limits)
        #expect(Array(command.suffix(3)) == ["/x/drsocial-intake", "media-worker", "probe"])
        if ChildProcess.prlimit != nil { #expect(command.contains("--cpu=7")) }
        if ChildProcess.nice != nil { #expect(Array(command.prefix(3)) == [ChildProcess.nice!, "-n", "10"]) }
    }

    @Test func theConfigurationKeepsNicenessInRange() {
        #expect(MediaWorkerClient.Configuration(executable: nil, niceness: 40).niceness == 19)
        #expect(MediaWorkerClient.Configuration(executable: nil, niceness: -5).niceness == 0)
        #expect(MediaWorkerClient.Configuration(executable: nil).niceness == 10)
    }
}
