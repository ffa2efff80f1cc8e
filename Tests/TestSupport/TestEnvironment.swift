public import Foundation
public import Logging
import Store

/// Finds the services `scripts/test` started and the repository's files.
public enum TestEnvironment {
    /// The repository root, found from this file's path.
    public static let repositoryRoot: URL = URL(filePath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A file in `testmedia/`.
    public static func testmedia(_ name: String) -> URL { repositoryRoot.appending(path: "testmedia/\(name)") }

    /// The `pipelines/` folder.
    public static var pipelinesDirectory: URL { repositoryRoot.appending(path: "pipelines") }

    /// A copy of the shipped pipelines without the `compose` stage, for tests about something other than
    /// reels that must not spend minutes encoding them on a loaded machine.
    public static func pipelinesWithoutReels() throws -> URL {
        let folder = try temporaryDirectory("pipelines-without-reels")
        let shipped = pipelinesDirectory
        try FileManager.default.copyItem(at: shipped.appending(path: "platforms.yaml"), to: folder.appending(path: "platforms.yaml"))
        try FileManager.default.copyItem(at: shipped.appending(path: "reels"), to: folder.appending(path: "reels"))
        try FileManager.default.copyItem(at: shipped.appending(path: "publish"), to: folder.appending(path: "publish"))
        var kept: [Substring] = []
        var skipping = false
        for line in try String(contentsOf: shipped.appending(path: "post-request.yaml"), encoding: .utf8).split(
            separator: "\n",
            omittingEmptySubsequences: false
        ) {
            if line.hasPrefix("  - name: ") { skipping = line == "  - name: compose" }
            if !skipping { kept.append(line) }
        }
        let text = kept.joined(separator: "\n").replacingOccurrences(of: ", compose]", with: "]")
        try text.write(to: folder.appending(path: "post-request.yaml"), atomically: true, encoding: .utf8)
        return folder
    }

    /// A copy of the shipped pipelines whose post-request pipeline only probes (and, with `transcribe`,
    /// transcribes), drafts, moderates and queues: for tests about intake and secrets, where each request must
    /// cost next to nothing.
    public static func pipelinesForIntake(transcribe: Bool = false) throws -> URL {
        let folder = try pipelinesWithoutReels()
        let transcription = transcribe ? "  - name: transcribe\n    status: analyzing\n    needs: [probe]\n" : ""
        let text = """
            # Intake tests: the least a request needs (probe for the brief, then draft, moderate, enqueue).
            name: post-request
            description: Probe, draft, moderate, queue for approval.
            stages:
              - name: probe
                status: analyzing

            """ + transcription + """
              - name: draft
                status: drafting
                needs: [probe\(transcribe ? ", transcribe" : "")]
              - name: moderate
                needs: [draft]
              - name: enqueue
                needs: [moderate]

            """
        try text.write(to: folder.appending(path: "post-request.yaml"), atomically: true, encoding: .utf8)
        return folder
    }

    /// The test database URL; tests that need it are skipped without it (run them through `scripts/test`).
    public static var databaseURL: String? { ProcessInfo.processInfo.environment["DRSOCIAL_TEST_DATABASE_URL"] }
    public static var crashDatabaseURL: String? { ProcessInfo.processInfo.environment["DRSOCIAL_CRASH_DATABASE_URL"] }
    public static var hasDatabase: Bool { databaseURL != nil }

    /// Whether a test that needs a service runs: when the service is there, and always under
    /// `DRSOCIAL_REQUIRE_SERVICES=1` (which `scripts/test` sets), so that a missing service fails the run
    /// instead of skipping its tests.
    public static func available(_ present: Bool) -> Bool {
        present || ProcessInfo.processInfo.environment["DRSOCIAL_REQUIRE_SERVICES"] == "1"
    }

    /// Whether this test binary runs under AddressSanitizer or ThreadSanitizer (`scripts/test --sanitize`): their
    /// shadow memory and slowdown make a figure of memory or speed meaningless, so tests of one are skipped.
    public static let isSanitized: Bool = {
        let program = dlopen(nil, RTLD_NOW)
        return dlsym(program, "__asan_init") != nil || dlsym(program, "__tsan_init") != nil
    }()

    /// The built `drsocial-intake` executable.
    public static var executable: URL? {
        ProcessInfo.processInfo.environment["DRSOCIAL_EXECUTABLE"].map { URL(filePath: $0) }
            ?? {
                let candidate = repositoryRoot.appending(path: ".build/debug/drsocial-intake")
                return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
            }()
    }

    public static let logger: Logger = {
        var logger = Logger(label: "tests")
        logger.logLevel = .warning
        return logger
    }()

    /// A fresh scratch folder.
    public static func temporaryDirectory(_ prefix: String = "drsocial-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appending(path: "\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
