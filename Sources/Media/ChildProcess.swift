import Foundation
import Synchronization

/// Starts a child under `prlimit` (CPU seconds, address space) at a lower CPU priority, kills it at a
/// wall-clock deadline, and returns its stdout. Blocking waits happen on a Dispatch thread, never on the
/// cooperative pool.
enum ChildProcess {
    struct Limits {
        var cpuSeconds: Int
        var memoryBytes: Int
        var wallSeconds: Double
        /// Added to the child's nice value (0 = the daemon's own priority).
        var niceness: Int
    }

    static let prlimit = ["/usr/bin/prlimit", "/bin/prlimit"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let nice = ["/usr/bin/nice", "/bin/nice"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func run(executable: URL, arguments: [String], limits: Limits) async throws -> Data {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    try runBlocking(executable: executable, arguments: arguments, limits: limits)
                })
            }
        }
    }

    /// The command line that starts `executable arguments` under the limits: `nice -n N prlimit … -- executable …`,
    /// leaving out a wrapper this system lacks.
    static func commandLine(executable: URL, arguments: [String], limits: Limits) -> [String] {
        var command = [executable.path] + arguments
        if let prlimit {
            command = [prlimit, "--cpu=\(limits.cpuSeconds)", "--as=\(limits.memoryBytes)", "--core=0", "--"] + command
        }
        if let nice, limits.niceness > 0 {
            command = [nice, "-n", String(limits.niceness)] + command
        }
        return command
    }

    private static func runBlocking(executable: URL, arguments: [String], limits: Limits) throws -> Data {
        let command = commandLine(executable: executable, arguments: arguments, limits: limits)
        let process = Process()
        process.executableURL = URL(filePath: command[0])
        process.arguments = Array(command.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        environment["OMP_THREAD_LIMIT"] = environment["OMP_THREAD_LIMIT"] ?? "1"
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let timedOut = Atomic(false)
        let pid = process.processIdentifier
        let timer = DispatchWorkItem {
            timedOut.store(true, ordering: .relaxed)
            kill(pid, SIGKILL)
        }
        let wallSeconds = limits.wallSeconds
        DispatchQueue.global().asyncAfter(deadline: .now() + wallSeconds, execute: timer)
        // Read both pipes fully (stderr on another thread) so a chatty child never blocks on a full pipe.
        let errorData = Mutex(Data())
        let errorDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let data = stderr.fileHandleForReading.readDataToEndOfFile()
            errorData.withLock { $0 = data }
            errorDone.signal()
        }
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        errorDone.wait()
        timer.cancel()
        if timedOut.load(ordering: .relaxed) { throw MediaWorkerError.timedOut(wallSeconds) }
        if process.terminationReason == .uncaughtSignal {
            throw MediaWorkerError.crashed(signal: process.terminationStatus)
        }
        if process.terminationStatus != 0 {
            let text = errorData.withLock { String(decoding: $0.suffix(500), as: UTF8.self) }
            // prlimit reports a signalled child as 128 + signal.
            if process.terminationStatus > 128 { throw MediaWorkerError.crashed(signal: process.terminationStatus - 128) }
            throw MediaWorkerError.exited(process.terminationStatus, text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return output
    }
}
