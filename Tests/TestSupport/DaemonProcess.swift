public import Foundation

/// The real `drsocial-intake` executable run as a child process, for crash and start-up tests.
public final class DaemonProcess: @unchecked Sendable {
    public let process = Process()
    public let logFile: URL

    /// Starts `drsocial-intake <arguments>` with `environment` added to this process's environment.
    public init(arguments: [String], environment: [String: String]) throws {
        guard let executable = TestEnvironment.executable else { throw MissingService(name: "DRSOCIAL_EXECUTABLE") }
        logFile = try TestEnvironment.temporaryDirectory("daemon-log").appending(path: "daemon.log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        process.currentDirectoryURL = TestEnvironment.repositoryRoot
        try process.run()
    }

    public var isRunning: Bool { process.isRunning }

    /// Everything the daemon printed so far.
    public var output: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Waits up to `seconds` until the daemon has printed `text`; false if it did not (or exited first).
    public func waitForOutput(containing text: String, within seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if output.contains(text) { return true }
            if !process.isRunning { return output.contains(text) }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
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

    /// Waits up to `seconds` for the process to end by itself; nil (and SIGKILL) if it did not.
    public func waitForExit(within seconds: Double) async -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(50)) }
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
