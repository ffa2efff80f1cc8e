import Foundation

/// A program run to its end off the cooperative thread pool (the fake's handlers need those threads while the
/// program talks to it): its exit status, standard output and standard error.
struct ScriptRun: Sendable {
    let status: Int32
    let output: String
    let errors: String

    /// Runs `executable` with `arguments` and exactly `environment`.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]) async throws -> ScriptRun {
        let errorsFile = FileManager.default.temporaryDirectory.appending(path: "script-run-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorsFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorsFile) }
        let errors = try FileHandle(forWritingTo: errorsFile)
        defer { try? errors.close() }
        let output = Pipe()
        let process = Process()
        process.executableURL = URL(filePath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Standard error goes to a file, so only one pipe is read and the child can never stall on a full one.
        let (status, printed) = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let printed = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, printed))
            }
        }
        return ScriptRun(
            status: status,
            output: String(decoding: printed, as: UTF8.self),
            errors: (try? String(contentsOf: errorsFile, encoding: .utf8)) ?? ""
        )
    }
}
