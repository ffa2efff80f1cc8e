import Foundation
import Glibc
import Synchronization

/// One media-worker child that serves tasks one after another (`media-worker serve`), under `prlimit` (address
/// space, no core files) at a lower CPU priority. Each exchange has a wall-clock deadline at which the child is
/// killed. The child puts up its sandbox (`WorkerSandbox`) itself, from its arguments, before it reads a request.
/// Blocking: called from a Dispatch thread, never from the cooperative pool.
final class WorkerChild: @unchecked Sendable {
    let process = Process()
    private let requests: FileHandle
    private let answers: FrameChannel
    private let answersHandle: FileHandle
    private let errorTail = TailBuffer()
    /// Tasks this child has answered.
    private(set) var served = 0
    /// The verbs of the tasks it answered or warmed up: it may keep their engines loaded.
    private(set) var verbs: Set<String> = []
    /// False once the child died, hung or broke the protocol: it is never used again.
    private(set) var healthy = true

    static let prlimit = ["/usr/bin/prlimit", "/bin/prlimit"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let nice = ["/usr/bin/nice", "/bin/nice"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let chrt = ["/usr/bin/chrt", "/bin/chrt"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Whether this build runs under AddressSanitizer or ThreadSanitizer (`scripts/test --sanitize`), found by
    /// their runtimes' entry points. Their shadow memory reserves terabytes of address space, which the children's
    /// address-space limit would refuse at start, so a sanitized build starts its children without that limit
    /// (their memory is still watched: a child grown past a quarter of the limit is replaced).
    static let isSanitized: Bool = {
        let program = dlopen(nil, RTLD_NOW)
        return dlsym(program, "__asan_init") != nil || dlsym(program, "__tsan_init") != nil
    }()

    /// The command line that starts `executable arguments` under the limits: `nice -n N prlimit … -- executable …`,
    /// or `chrt --idle 0 prlimit …` for idle scheduling (`nice -n 19` where `chrt` is missing), leaving out a
    /// wrapper this system lacks. Each wrapper `exec`s the next; threads the child starts inherit the policy.
    static func commandLine(executable: URL, arguments: [String], memoryBytes: Int, niceness: Int, idle: Bool = false) -> [String] {
        var command = [executable.path] + arguments
        if let prlimit { command = [prlimit] + (isSanitized ? [] : ["--as=\(memoryBytes)"]) + ["--core=0", "--"] + command }
        if idle, let chrt {
            command = [chrt, "--idle", "0"] + command
        } else if let nice, idle || niceness > 0 {
            command = [nice, "-n", String(idle ? 19 : niceness)] + command
        }
        return command
    }

    init(
        executable: URL,
        memoryBytes: Int,
        niceness: Int,
        idleScheduling: Bool,
        environment: [String: String],
        sandbox: WorkerSandbox.Configuration
    ) throws {
        let command = Self.commandLine(
            executable: executable,
            arguments: ["media-worker", "serve"] + sandbox.arguments,
            memoryBytes: memoryBytes,
            niceness: niceness,
            idle: idleScheduling
        )
        process.executableURL = URL(filePath: command[0])
        process.arguments = Array(command.dropFirst())
        process.environment = environment
        let input = Pipe()
        let output = Pipe()
        let error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        requests = input.fileHandleForWriting
        answersHandle = output.fileHandleForReading
        answers = FrameChannel(fd: answersHandle.fileDescriptor)
        // Keep the last bytes the child says on standard error, for the message when it exits badly.
        let tail = errorTail
        let errors = error.fileHandleForReading
        Thread.detachNewThread {
            while true {
                let chunk = errors.availableData
                if chunk.isEmpty { break }
                tail.append(chunk)
            }
            try? errors.close()
        }
    }

    var pid: pid_t { process.processIdentifier }

    /// Resident memory, from `/proc`; nil when it cannot be read.
    var residentBytes: Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kilobytes * 1024
    }

    /// Sends one request and waits for its answer; kills the child at the deadline, or once it made no progress
    /// for `stallSeconds` (`StallWatchdog`; nil: never). Once it answered, the child serves `serves` warm.
    func exchange(_ request: Data, serves: Set<String>, wallSeconds: Double, stallSeconds: Double?) throws -> Data {
        guard healthy else { throw IsolationError.failed("the media worker is no longer usable") }
        let timedOut = Atomic(false)
        let pid = self.pid
        let timer = DispatchWorkItem {
            timedOut.store(true, ordering: .relaxed)
            kill(pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + wallSeconds, execute: timer)
        let watchdog = stallSeconds.map { StallWatchdog(pid: pid, seconds: $0) { kill(pid, SIGKILL) } }
        defer {
            timer.cancel()
            watchdog?.cancel()
        }
        let sent = FrameChannel(fd: requests.fileDescriptor).write(request)
        let answer = sent ? answers.read() : nil
        // Neither signals the child once it is reaped below: its number may then belong to another process.
        watchdog?.cancel()
        if let answer, !timedOut.load(ordering: .relaxed), watchdog?.fired != true {
            served += 1
            verbs.formUnion(serves)
            return answer
        }
        healthy = false
        if let stallSeconds, watchdog?.fired == true {
            process.waitUntilExit()
            throw IsolationError.stalled(stallSeconds)
        }
        if timedOut.load(ordering: .relaxed) {
            process.waitUntilExit()
            throw IsolationError.timedOut(wallSeconds)
        }
        // The stream ended or broke: the child died, or broke the protocol and is ended here. Only a child not
        // yet reaped is signalled: a reaped one's number may already belong to another process.
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        if process.terminationReason == .uncaughtSignal { throw IsolationError.crashed(signal: process.terminationStatus) }
        // A wrapper that reports a signalled child as 128 + signal.
        if process.terminationStatus > 128 { throw IsolationError.crashed(signal: process.terminationStatus - 128) }
        let said = String(decoding: errorTail.bytes.suffix(500), as: UTF8.self)
        throw IsolationError.exited(process.terminationStatus, said.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Ends an idle child: its standard input closes and it exits by itself.
    func retire() {
        healthy = false
        try? requests.close()
    }

    deinit {
        try? requests.close()
        try? answersHandle.close()
    }
}

/// The last bytes a child wrote to standard error.
final class TailBuffer: Sendable {
    private let data = Mutex(Data())
    func append(_ chunk: Data) { data.withLock { $0 = ($0 + chunk).suffix(2000) } }
    var bytes: Data { data.withLock { $0 } }
}
