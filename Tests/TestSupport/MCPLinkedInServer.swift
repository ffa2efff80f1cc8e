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
        // Port 0: the server binds a free port itself and names it, so nothing can take it in between.
        let out = Pipe()
        let process = Process()
        process.executableURL = URL(filePath: python)
        process.arguments = [
            TestEnvironment.repositoryRoot.appending(path: "Tests/Publishing/mcp_linkedin_server.py").path, "0", key, record.path,
        ]
        process.environment = ProcessInfo.processInfo.environment.merging(["MCP_ANSWER_DELAY_SECONDS": "\(answerDelaySeconds)"]) { $1 }
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // `ready PORT` once it listens; nothing means it died.
        let words = out.fileHandleForReading.readLine()?.split(separator: " ") ?? []
        guard words.count == 2, words[0] == "ready", let port = Int(words[1]) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw MissingService(name: "the MCP test server (it printed \(words), status \(process.isRunning ? "running" : "\(process.terminationStatus)"))")
        }
        self.port = port
        self.processRef = process
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
