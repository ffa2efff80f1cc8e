import Foundation
import Synchronization

/// Starts a child under `prlimit` (CPU seconds, address space), kills it at a wall-clock deadline, and
/// returns its stdout. Blocking waits happen on a Dispatch thread, never on the cooperative pool.
enum ChildProcess {
    static let prlimit = ["/usr/bin/prlimit", "/bin/prlimit"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func run(executable: URL, arguments: [String], cpuSeconds: Int, memoryBytes: Int, wallSeconds: Double) async throws -> Data {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    try runBlocking(executable: executable, arguments: arguments, cpuSeconds: cpuSeconds,
                                    memoryBytes: memoryBytes, wallSeconds: wallSeconds)
                })
            }
        }
    }

    private static func runBlocking(executable: URL, arguments: [String], cpuSeconds: Int, memoryBytes: Int, wallSeconds: Double) throws -> Data {
        let process = Process()
        if let prlimit {
            process.executableURL = URL(filePath: prlimit)
            process.arguments = ["--cpu=\(cpuSeconds)", "--as=\(memoryBytes)", "--core=0", "--", executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
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
