public import Contracts
public import Foundation

/// Runs media work in a child process (`drsocial-intake media-worker …`, the same executable) under CPU-time,
/// memory and wall-clock limits, so a crash or hang inside a C library on a hostile file fails that piece of
/// work with a clear message and never takes the daemon down.
public struct MediaWorkerClient: Sendable {
    /// Where the worker executable is and what it may use.
    public struct Configuration: Sendable {
        /// The `drsocial-intake` executable; nil runs the work in this process (tests of pure logic only).
        public var executable: URL?
        /// CPU seconds the child may use. Default 120.
        public var cpuSeconds: Int
        /// Address-space limit of the child in bytes. Default 4 GiB.
        public var memoryBytes: Int
        /// Wall-clock seconds before the child is killed. Default 300.
        public var wallSeconds: Double
        /// How much the child yields the CPU (`nice`, 0–19). Default 10: media work is batch work, and the
        /// daemon's own threads (web requests, uploads, mail polling) must not queue behind it for a core.
        public var niceness: Int

        public init(executable: URL?, cpuSeconds: Int = 120, memoryBytes: Int = 4 << 30, wallSeconds: Double = 300,
                    niceness: Int = 10) {
            self.executable = executable
            self.cpuSeconds = cpuSeconds
            self.memoryBytes = memoryBytes
            self.wallSeconds = wallSeconds
            self.niceness = min(max(niceness, 0), 19)
        }
    }

    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Probes a file in the worker process.
    public func probe(file: URL, limits: MediaLimits) async throws -> ProbeResult {
        guard configuration.executable != nil else {
            return try MediaProber(limits: limits).probe(path: file.path)
        }
        let limitsJSON = String(decoding: try JSONEncoder().encode(limits), as: UTF8.self)
        return try await run(["probe", "--limits", limitsJSON, file.path], as: ProbeResult.self)
    }

    /// Finds the scenes of a video in the worker process.
    public func scenes(file: URL, options: SceneOptions) async throws -> SceneAnalyzer.Result {
        guard configuration.executable != nil else { return try options.analyze(path: file.path) }
        let optionsJSON = String(decoding: try JSONEncoder().encode(options), as: UTF8.self)
        return try await run(["scenes", "--options", optionsJSON, file.path], as: SceneAnalyzer.Result.self)
    }

    /// Picks and writes the keyframes of a video's scenes in the worker process.
    public func keyframes(file: URL, options: KeyframeOptions) async throws -> [ExtractedKeyframe] {
        guard configuration.executable != nil else { return try options.extract(path: file.path) }
        let optionsJSON = String(decoding: try JSONEncoder().encode(options), as: UTF8.self)
        return try await run(["keyframes", "--options", optionsJSON, file.path], as: [ExtractedKeyframe].self)
    }

    /// Runs `media-worker <arguments>` and decodes its answer. Other modules add their own work through it.
    /// `cpuSeconds` and `wallSeconds` override the configured limits for longer work (composing a reel).
    public func run<T: Codable & Sendable>(_ arguments: [String], as type: T.Type, cpuSeconds: Int? = nil, wallSeconds: Double? = nil) async throws -> T {
        guard let executable = configuration.executable else { throw MediaWorkerError.noExecutable }
        let output = try await ChildProcess.run(
            executable: executable, arguments: ["media-worker"] + arguments,
            limits: .init(cpuSeconds: cpuSeconds ?? configuration.cpuSeconds, memoryBytes: configuration.memoryBytes,
                          wallSeconds: wallSeconds ?? configuration.wallSeconds, niceness: configuration.niceness))
        let response: MediaWorkerResponse<T>
        do {
            response = try JSONDecoder().decode(MediaWorkerResponse<T>.self, from: output)
        } catch {
            throw MediaWorkerError.badAnswer(String(decoding: output.prefix(200), as: UTF8.self))
        }
        if let result = response.result { return result }
        throw MediaWorkerError.failed(response.error ?? "the media worker gave no reason")
    }

    /// Finds the `drsocial-intake` executable: `DRSOCIAL_EXECUTABLE`, this process when it is the daemon,
    /// or a sibling of this process's executable (the test runner's build folder).
    public static func locateExecutable(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let explicit = environment["DRSOCIAL_EXECUTABLE"], !explicit.isEmpty { return URL(filePath: explicit) }
        let me = URL(filePath: "/proc/self/exe").resolvingSymlinksInPath()
        if me.lastPathComponent == "drsocial-intake" { return me }
        var folder = me.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appending(path: "drsocial-intake")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }
}

/// The worker's answer on stdout.
public struct MediaWorkerResponse<T: Codable>: Codable {
    public var result: T?
    public var error: String?

    public init(result: T?, error: String?) {
        self.result = result
        self.error = error
    }
}

/// The media worker failed, crashed, hung or could not be started.
public struct MediaWorkerError: Error, CustomStringConvertible {
    public let description: String
    /// The child died on a signal or was killed for taking too long: what the input did to it, not a
    /// failure to start or a reasoned refusal.
    public var diedOnInput = false
    static let noExecutable = MediaWorkerError(description: "no media-worker executable is configured")
    static func failed(_ reason: String) -> MediaWorkerError { MediaWorkerError(description: reason) }
    static func badAnswer(_ text: String) -> MediaWorkerError {
        MediaWorkerError(description: "the media worker gave an unreadable answer: \(text)")
    }
    static func crashed(signal: Int32) -> MediaWorkerError {
        let name = switch signal {
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGKILL: "SIGKILL (memory or CPU limit)"
        case SIGXCPU: "SIGXCPU (CPU-time limit)"
        case SIGBUS: "SIGBUS"
        default: "signal \(signal)"
        }
        return MediaWorkerError(description: "the media worker crashed on this file (\(name))", diedOnInput: true)
    }
    static func exited(_ status: Int32, _ stderr: String) -> MediaWorkerError {
        MediaWorkerError(description: "the media worker exited with status \(status): \(stderr)")
    }
    static func timedOut(_ seconds: Double) -> MediaWorkerError {
        MediaWorkerError(description: "the media worker took longer than \(Int(seconds)) s and was killed", diedOnInput: true)
    }
}
