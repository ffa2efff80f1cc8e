import Foundation
import Store
import TestSupport
import Testing

/// A real browser against a running daemon: headless Chromium, driven by Selenium (`Tests/Browser/portal_flow.py`),
/// signs in with a development token, uploads a video with a progress bar, waits for the pipeline, approves
/// one variant and rejects another. `scripts/test` installs Chromium, chromedriver and Selenium and sets
/// `DRSOCIAL_BROWSER_PYTHON`; screenshots are kept under `.state/artifacts/browser/`.
@Suite(
    .enabled(
        if: TestEnvironment.available(
            TestEnvironment.hasDatabase && TestEnvironment.executable != nil
                && ProcessInfo.processInfo.environment["DRSOCIAL_BROWSER_PYTHON"] != nil
        )
    )
)
struct BrowserPortalTests {
    @Test
    func aTalentRequestsAndDecidesInARealBrowser() async throws {
        let python = try #require(ProcessInfo.processInfo.environment["DRSOCIAL_BROWSER_PYTHON"])
        let database = try await IsolatedDatabase.make("browser")
        let databaseURL = database.url
        let pool = database.pool
        let fixture = try await TenantFixture.make(on: pool)
        let storage = try TestEnvironment.temporaryDirectory("browser-storage")
        let secret = "browser-test-secret-0123456789abcdef-0123456789"
        let environment = [
            "DATABASE_URL": databaseURL, "STORAGE_DIR": storage.path, "OPS_TOKEN": "browser-test-operator-token",
            "HTTP_PORT": "0", "WORKERS": "2", "LOG_LEVEL": "notice", "JWT_SECRET": secret,
            "PIPELINES_DIR": TestEnvironment.pipelinesDirectory.path,
        ]
        let daemon = try DaemonProcess(arguments: ["serve"], environment: environment)
        defer { daemon.kill() }
        #expect(await daemon.waitForOutput(containing: "listening", within: 60), "\(daemon.output.suffix(2000))")
        let port = try #require(daemon.listeningPort)

        let token = try Self.run(TestEnvironment.executable!.path, ["token", "--talent", fixture.slug], environment: environment)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let artifacts = TestEnvironment.repositoryRoot.appending(path: ".state/artifacts/browser")
        let prompt = "Browser test \(fixture.slug)"
        let output = try Self.run(
            python,
            [
                TestEnvironment.repositoryRoot.appending(path: "Tests/Browser/portal_flow.py").path, "http://127.0.0.1:\(port)", token,
                TestEnvironment.testmedia("short.mp4").path, artifacts.path, prompt,
            ],
            environment: ProcessInfo.processInfo.environment.merging(["DRSOCIAL_DAEMON_PID": "\(daemon.pid)"]) { $1 }
        )
        #expect(output.contains("approved") && output.contains("rejected") && output.contains("replacement"), "\(output)")

        let states = try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT q.state || CASE WHEN q.version > 1 THEN ' v' || q.version ELSE '' END AS state,
                       coalesce(q.rejected_reason, '') AS reason, r.source FROM content_queue q
                JOIN post_requests r ON r.id = q.post_request_id WHERE r.talent_id = $1 AND r.prompt_text = $2 ORDER BY q.state
                """,
                [fixture.talentID, prompt]
            ).rows.map {
                "\(try $0.decode("source", as: String.self)):\(try $0.decode("state", as: String.self)):\(try $0.decode("reason", as: String.self))"
            }
        }
        // Approved, then handed to the publisher (no backend is configured here, so it may have failed already).
        #expect(states.contains { ["browser:approved:", "browser:queued:", "browser:failed:", "browser:published:"].contains($0) }, "\(states)")
        #expect(states.contains("browser:rejected:Too long for TikTok"), "\(states)")
        #expect(states.contains("browser:awaiting_owner_approval v2:"), "the rejected variant's replacement: \(states)")
        #expect(FileManager.default.fileExists(atPath: artifacts.appending(path: "05-decided.png").path))
        await pool.close()
    }

    /// Runs a program to the end; its standard output, or a thrown error with both streams.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> String {
        let run = try TestProgram.run(URL(filePath: executable), arguments, environment: environment)
        guard run.status == 0 else {
            throw BrowserTestFailure(description: "\(executable) exited \(run.status):\n\(run.standardOutput)\n\(run.standardError.suffix(3000))")
        }
        return run.standardOutput
    }
}

struct BrowserTestFailure: Error, CustomStringConvertible {
    let description: String
}
