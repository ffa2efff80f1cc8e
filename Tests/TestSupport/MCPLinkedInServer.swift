public import Foundation

/// The MCP server the publishing tests post to: `Tests/Publishing/mcp_linkedin_server.py`, built with the
/// official MCP Python SDK and answering like Composio's LinkedIn tool, on a loopback port of its own.
public final class MCPLinkedInServer: @unchecked Sendable {
    public let port: Int
    public let key: String
    public let record: URL

    public var url: URL { URL(string: "http://127.0.0.1:\(port)/mcp")! }

    /// Starts the server; `answerDelaySeconds` holds each successful post's answer back after recording it.
    public init(key: String = "mcp-test-\(UUID().uuidString)", answerDelaySeconds: Double = 0) throws {
        guard let python = ProcessInfo.processInfo.environment["DRSOCIAL_PYTHON"] else { throw MissingService(name: "DRSOCIAL_PYTHON") }
        self.key = key
        record = try TestEnvironment.temporaryDirectory("mcp-record").appending(path: "posts.jsonl")
        let out = Pipe()
        var lastError = ""
        for _ in 0..<5 {
            let port = Int.random(in: 30_000...50_000)
            let process = Process()
            process.executableURL = URL(filePath: python)
            process.arguments = [
                TestEnvironment.repositoryRoot.appending(path: "Tests/Publishing/mcp_linkedin_server.py").path, "\(port)", key, record.path,
            ]
            process.environment = ProcessInfo.processInfo.environment.merging(["MCP_ANSWER_DELAY_SECONDS": "\(answerDelaySeconds)"]) { $1 }
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            // `ready` once it listens; an exit (port taken) means another port.
            let line = out.fileHandleForReading.readLine()
            if line == "ready" {
                self.port = port
                self.processRef = process
                return
            }
            process.waitUntilExit()
            lastError = "exited \(process.terminationStatus)"
        }
        throw MissingService(name: "the MCP test server (\(lastError))")
    }

    private var processRef: Process?

    /// Every post the server recorded.
    public func posts() throws -> [[String: Any]] {
        guard let text = try? String(contentsOf: record, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    public func stop() {
        guard let process = processRef, process.isRunning else { return }
        // SIGKILL: a session the client left open must not keep it alive, and its state is not needed.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}

extension FileHandle {
    /// One line of standard output, or nil at its end.
    public func readLine() -> String? {
        var bytes: [UInt8] = []
        while true {
            let byte = readData(ofLength: 1)
            guard let first = byte.first else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if first == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(first)
        }
    }
}
