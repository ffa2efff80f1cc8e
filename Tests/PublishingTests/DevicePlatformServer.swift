import Foundation
import TestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The fake Instagram and TikTok upload screens the device channel's tests drive:
/// `Tests/Publishing/device_platform.py` (standard library only) on a loopback port of its own.
final class DevicePlatformServer: @unchecked Sendable {
    let port: Int
    private let process: Process

    /// The address `{platform}` pages are under, as `DEVICE_APP_URL` takes it.
    var appURL: String { "http://127.0.0.1:\(port)/{platform}" }

    init() throws {
        let python = ProcessInfo.processInfo.environment["DRSOCIAL_PYTHON"] ?? "/usr/bin/python3"
        let record = try TestEnvironment.temporaryDirectory("device-record").appending(path: "posts.jsonl")
        let out = Pipe()
        process = Process()
        process.executableURL = URL(filePath: python)
        process.arguments = [TestEnvironment.repositoryRoot.appending(path: "Tests/Publishing/device_platform.py").path, record.path]
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The port once it listens; nothing means it died.
        guard let line = out.fileHandleForReading.readLine(), let port = Int(line) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw MissingService(name: "the device platform page (device_platform.py)")
        }
        self.port = port
    }

    /// Every post the page received, oldest first (`GET /posts`).
    func posts() async throws -> [[String: Any]] {
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/posts")!)
        return try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
    }

    func stop() {
        guard process.isRunning else { return }
        // SIGKILL: nothing of its state is needed, and it must not outlive the test.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}
