import Foundation
import TestSupport
import Testing

/// How `serve` starts: bad configuration and a missing database stop it with a clear message.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.executable != nil)))
struct StartupTests {
    @Test func databaseDownAtStartIsRetriedThenReported() async throws {
        let daemon = try DaemonProcess(
            arguments: ["serve"],
            environment: [
                "DATABASE_URL": "postgresql://drsocial:x@127.0.0.1:1/drsocial", "DATABASE_WAIT_SECONDS": "3",
                "STORAGE_DIR": try TestEnvironment.temporaryDirectory().path, "OPS_TOKEN": "startup-test-operator-token",
            ]
        )
        let status = await daemon.waitForExit(within: 30)
        #expect(status != nil && status != 0)
        let output = daemon.output
        #expect(output.contains("database not reachable yet; retrying"))
        #expect(output.contains("did not answer within 3 s"))
    }

    @Test func brokenPipelineFileStopsTheDaemonWithFileAndLine() async throws {
        let url = try #require(TestEnvironment.databaseURL)
        let folder = try TestEnvironment.temporaryDirectory("pipelines")
        try FileManager.default.copyItem(
            at: TestEnvironment.pipelinesDirectory.appending(path: "platforms.yaml"),
            to: folder.appending(path: "platforms.yaml")
        )
        try "name: post-request\nstages:\n  - name: probe\n  - name: teleport\n".write(
            to: folder.appending(path: "post-request.yaml"),
            atomically: true,
            encoding: .utf8
        )
        let daemon = try DaemonProcess(
            arguments: ["serve"],
            environment: [
                "DATABASE_URL": url, "PIPELINES_DIR": folder.path, "HTTP_PORT": "0",
                "STORAGE_DIR": try TestEnvironment.temporaryDirectory().path, "OPS_TOKEN": "startup-test-operator-token",
            ]
        )
        let status = await daemon.waitForExit(within: 30)
        #expect(status != nil && status != 0)
        // It had connected (migrations ran): the pool is closed before the error ends the process, not left
        // ending its threads while the exit handlers run.
        #expect(daemon.process.terminationReason == .exit, "ended on signal \(daemon.process.terminationStatus): \(daemon.output)")
        #expect(daemon.output.contains("post-request.yaml:4: unknown stage 'teleport'"), "\(daemon.output)")
    }

    @Test func missingSettingIsNamed() async throws {
        let daemon = try DaemonProcess(arguments: ["serve"], environment: ["DATABASE_URL": "", "OPS_TOKEN": ""])
        let status = await daemon.waitForExit(within: 30)
        #expect(status != nil && status != 0)
        #expect(daemon.output.contains("DATABASE_URL is not set"), "\(daemon.output)")
    }

    @Test(
        .enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase)),
        arguments: [
            (["IMAP_URL": "imap://127.0.0.1:1/INBOX", "IMAP_USER": "u", "IMAP_PASSWORD": "p"], "INTAKE_DOMAIN is not set"),
            (["IMAP_URL": "pop3://127.0.0.1/INBOX", "INTAKE_DOMAIN": "dr-social.app"], "IMAP_URL must start with imaps://"),
            (["IMAP_URL": "imap://127.0.0.1:1/INBOX", "INTAKE_DOMAIN": "dr-social.app", "IMAP_USER": "u"], "IMAP_PASSWORD is not set"),
            (
                [
                    "IMAP_URL": "imap://127.0.0.1:1/INBOX", "INTAKE_DOMAIN": "dr-social.app", "IMAP_USER": "u", "IMAP_PASSWORD": "p",
                    "IMAP_POLL_SECONDS": "0",
                ], "IMAP_POLL_SECONDS must be a whole number from 1"
            ),
        ]
    )
    func emailSettingsAreCheckedAtStart(settings: [String: String], message: String) async throws {
        let storage = try TestEnvironment.temporaryDirectory("startup-storage")
        let daemon = try DaemonProcess(
            arguments: ["serve"],
            environment: settings.merging([
                "DATABASE_URL": try #require(TestEnvironment.databaseURL), "STORAGE_DIR": storage.path,
                "OPS_TOKEN": "startup-test-operator-token", "HTTP_PORT": "0",
                "PIPELINES_DIR": TestEnvironment.pipelinesDirectory.path,
            ]) { _, new in new }
        )
        let status = await daemon.waitForExit(within: 30)
        #expect(status != nil && status != 0)
        #expect(daemon.process.terminationReason == .exit, "ended on signal \(daemon.process.terminationStatus): \(daemon.output)")
        #expect(daemon.output.contains(message), "\(daemon.output)")
    }

    @Test(arguments: [
        ("lazy", "MEDIA_NICENESS must be idle or a whole number from 0 to 19, not 'lazy'"),
        ("20", "MEDIA_NICENESS must be idle or a whole number from 0 to 19, not '20'"),
        // Accepted: the start goes on to the database, which does not answer on port 1.
        ("idle", "the database at DATABASE_URL did not answer within 0 s"),
        ("7", "the database at DATABASE_URL did not answer within 0 s"),
    ])
    func mediaNicenessIsIdleOrANumber(value: String, message: String) async throws {
        let daemon = try DaemonProcess(
            arguments: ["serve"],
            environment: [
                "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "DATABASE_WAIT_SECONDS": "0",
                "OPS_TOKEN": "startup-test-operator-token", "MEDIA_NICENESS": value,
            ]
        )
        let status = await daemon.waitForExit(within: 30)
        #expect(status != nil && status != 0)
        #expect(daemon.output.contains(message), "\(daemon.output)")
    }

    /// Every command that opens the database ends with its error, not a signal, when the database does not
    /// answer: the pool's threads are joined before the process exits (`Runtime.closingPool`), also when the
    /// start itself fails. A pool thread still ending while the exit handlers run can crash in OpenSSL's
    /// clean-up, as `submit` once did after its request was filed.
    @Test(arguments: [
        ["migrate"], ["seed-demo"], ["runs", "list"], ["runs", "show", "00000000-0000-4000-8000-000000000001"],
        ["runs", "rerun", "00000000-0000-4000-8000-000000000001", "--stage", "ocr"], ["runs", "revive", "1"],
        ["accounts", "list"], ["token", "--talent", "nobody"], ["submit", "--talent", "nobody", "--prompt", "x"],
        ["replay", "00000000-0000-4000-8000-000000000001"],
    ])
    func commandsEndWithTheirErrorWhenTheDatabaseIsDown(arguments: [String]) async throws {
        let daemon = try DaemonProcess(
            arguments: arguments,
            environment: [
                "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "DATABASE_WAIT_SECONDS": "0",
                "STORAGE_DIR": try TestEnvironment.temporaryDirectory().path, "JWT_SECRET": "startup-test-secret-of-32-bytes!",
            ]
        )
        let status = await daemon.waitForExit(within: 30)
        #expect(daemon.process.terminationReason == .exit, "\(arguments) ended on signal \(daemon.process.terminationStatus): \(daemon.output)")
        #expect(status != nil && status != 0)
        #expect(daemon.output.contains("the database at DATABASE_URL did not answer within 0 s"), "\(daemon.output)")
    }

    @Test(arguments: [
        (["--card", " "], "--card needs a line of text"),
        (["--card", "Hello", "--still", "a.jpg"], "--card is for a reel without stills or a video"),
    ])
    func composeRefusesACardItCannotMake(arguments: [String], message: String) async throws {
        let daemon = try DaemonProcess(arguments: ["compose"] + arguments + ["-o", "/tmp/never-written.mp4"], environment: [:])
        #expect(await daemon.waitForExit(within: 30) != 0)
        #expect(daemon.output.contains(message), "\(daemon.output)")
    }

    @Test func submitRefusesUnknownPlatformAndTalent() async throws {
        let url = try #require(TestEnvironment.databaseURL)
        let environment = ["DATABASE_URL": url, "STORAGE_DIR": try TestEnvironment.temporaryDirectory().path]
        let badPlatform = try DaemonProcess(
            arguments: ["submit", "--talent", "anyone", "--prompt", "x", "--platforms", "IG,FB"],
            environment: environment
        )
        #expect(await badPlatform.waitForExit(within: 30) != 0)
        #expect(badPlatform.output.contains("unknown platform 'FB'"), "\(badPlatform.output)")
        let badTalent = try DaemonProcess(
            arguments: ["submit", "--talent", "nobody-at-all", "--prompt", "x"],
            environment: environment
        )
        #expect(await badTalent.waitForExit(within: 30) != 0)
        #expect(badTalent.output.contains("no talent has the slug 'nobody-at-all'"), "\(badTalent.output)")
    }
}
