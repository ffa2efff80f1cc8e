public import Foundation

/// The real `drsocial-intake` executable run as a child process, for crash and start-up tests.
public final class DaemonProcess: @unchecked Sendable {
    public let process = Process()
    public let logFile: URL

    /// Starts `drsocial-intake <arguments>` with `environment` added to this process's environment; after
    /// `launcher` when given (such as `ip netns exec NAME`, which execs the daemon in place: same process id).
    public init(arguments: [String], environment: [String: String], launcher: [String] = []) throws {
        guard let executable = TestEnvironment.executable else { throw MissingService(name: "DRSOCIAL_EXECUTABLE") }
        logFile = try TestEnvironment.temporaryDirectory("daemon-log").appending(path: "daemon.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        if let program = launcher.first {
            process.executableURL = URL(filePath: program)
            process.arguments = Array(launcher.dropFirst()) + [executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        process.currentDirectoryURL = TestEnvironment.repositoryRoot
        try process.run()
    }

    public var isRunning: Bool { process.isRunning }
    public var pid: pid_t { process.processIdentifier }

    /// A progress watch over this daemon and its media children.
    public var watch: ProgressWatch {
        let pid = pid
        return ProgressWatch(processes: { [pid] })
    }

    /// Everything the daemon printed so far.
    public var output: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// The port `serve` said it listens on, once it has. With `HTTP_PORT=0` the kernel chooses one as the
    /// daemon binds: a port picked beforehand (at random, or found free and closed again) can be taken by any
    /// other socket on the machine before the daemon binds it.
    public var listeningPort: Int? {
        let log = output
        guard let range = log.range(of: #"http://127\.0\.0\.1:(\d+)/"#, options: .regularExpression) else { return nil }
        return Int(log[range].split(separator: ":").last!.dropLast())
    }

    /// Waits until the daemon has printed `text`; false if it exited first, or printed nothing new and used no
    /// CPU for `seconds` (a slow start on a loaded machine is still a start).
    public func waitForOutput(containing text: String, within seconds: Double) async -> Bool {
        var watch = self.watch
        watch.stallSeconds = seconds
        watch.minimumCPUSeconds = 0.5
        let ending = try? await watch.wait(
            until: { output.contains(text) || !process.isRunning },
            progress: { "\(output.utf8.count)" },
            interval: .milliseconds(50)
        )
        return ending == .done && output.contains(text)
    }

    /// SIGKILL, as a crash or an OOM kill would.
    public func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// SIGTERM, then waits up to `seconds` for a graceful exit; returns the exit status, or nil if it had to be killed.
    public func terminate(within seconds: Double) async -> Int32? {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGTERM) }
        return await waitForExit(within: seconds)
    }

    /// Waits for the process to end by itself; nil (and SIGKILL) if it is still there after `seconds` in which it
    /// printed nothing and used next to no CPU (finishing the stage in progress on a loaded machine is not hanging).
    public func waitForExit(within seconds: Double) async -> Int32? {
        var watch = self.watch
        watch.stallSeconds = seconds
        watch.minimumCPUSeconds = 0.5
        _ = try? await watch.wait(
            until: { !process.isRunning },
            progress: { "\(output.utf8.count)" },
            interval: .milliseconds(50)
        )
        if process.isRunning {
            kill()
            return nil
        }
        return process.terminationStatus
    }
}

/// Runs a shell command a test was handed (such as `DRSOCIAL_PG_RESTART`) from the repository root.
public enum TestShell {
    public static func run(_ command: String, describedAs name: String) throws {
        let process = Process()
        process.executableURL = URL(filePath: "/bin/bash")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = TestEnvironment.repositoryRoot
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw MissingService(name: "\(name) (exit \(process.terminationStatus))") }
    }
}
