import Domain
import Foundation
import Intake
import LLMRouterFake
import S3
import Store
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// No secret in logs or pages: a daemon at `LOG_LEVEL=trace` with a distinctive value for every secret it takes
/// (the database password, `OPS_TOKEN`, `JWT_SECRET`, `IMAP_PASSWORD`, `AWS_SECRET_ACCESS_KEY` against moto,
/// `LLM_ROUTER_API_KEY`, `TRANSCRIBE_API_KEY`, `MCP_API_KEY`, `DEVICE_HUB_TOKEN`, an account's vault credential)
/// takes requests by email, the portal and `submit`, drafts through the router, publishes an approved variant
/// through MCP and fails one on an unreachable device hub; every page and API route an operator or a talent
/// reads is fetched. No secret may appear, raw, base64-encoded or URL-encoded, in anything it printed or served.
@Suite(
    .enabled(
        if: TestEnvironment.available(
            TestEnvironment.hasDatabase && TestMailServer.isConfigured && TestEnvironment.executable != nil && MotoServer.isInstalled
        )
    )
)
struct SecretsDaemonTests {
    static let domain = "secrets.test"

    /// A distinctive value for `name`: its own marker, random, with characters that URL-encoding changes.
    static func secret(_ name: String, length: Int = 40) -> String {
        let random = (0..<4).map { _ in UUID().uuidString.replacingOccurrences(of: "-", with: "") }.joined()
        return String("\(name)-S3CR3T+/~\(random)".prefix(length))
    }

    @Test
    func noSecretReachesALogLineOrAPage() async throws {
        let opsToken = Self.secret("ops")
        let jwtSecret = Self.secret("jwt", length: 48)
        let routerKey = Self.secret("llm")
        let transcribeKey = Self.secret("stt")
        let deviceToken = Self.secret("hub")
        let vaultCredential = Self.secret("vault")
        let databasePassword = "pg" + UUID().uuidString.replacingOccurrences(of: "-", with: "")

        let router = try await FakeLLMRouter.start(apiKey: routerKey)
        defer { Task { await router.stop() } }
        router.setDefault(FakeLLMRouter.compliantModel())
        let mcp = try MCPLinkedInServer(key: Self.secret("mcp"))
        defer { mcp.stop() }
        let moto = try await MotoServer.start(authenticated: true)
        defer { moto.stop() }
        let database = try await IsolatedDatabase.make("secrets")
        let databaseURL = try await database.login(password: databasePassword)
        let pool = database.pool
        let fixture = try await TenantFixture.make(on: pool)
        let instagram = fixture.account(.instagram)
        try await pool.withConnection {
            try $0.query("UPDATE accounts SET vault_ref = 'env:DRSOCIAL_TEST_IG_SESSION' WHERE id = $1", [instagram.id])
        }
        let box = try TestMailServer.freshMailbox()
        let mail = try TestMailServer.client(mailbox: box.inbox)
        for name in ["photo-ig-tt.eml", "voice-memo.eml"] {
            try mail.append(try TestEmail.fixture(name, slug: fixture.slug, domain: Self.domain), to: box.inbox)
        }

        let secrets: [String: String] = [
            "DATABASE_URL password": databasePassword, "OPS_TOKEN": opsToken, "JWT_SECRET": jwtSecret,
            "IMAP_PASSWORD": TestMailServer.password, "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey,
            "LLM_ROUTER_API_KEY": routerKey, "TRANSCRIBE_API_KEY": transcribeKey, "MCP_API_KEY": mcp.key,
            "DEVICE_HUB_TOKEN": deviceToken, "vault credential": vaultCredential,
        ]
        let environment = [
            // The kernel chooses the port (`DaemonProcess.listeningPort`).
            "DATABASE_URL": databaseURL, "OPS_TOKEN": opsToken, "JWT_SECRET": jwtSecret, "HTTP_PORT": "0",
            "WORKERS": "2", "LOG_LEVEL": "trace", "PIPELINES_DIR": try TestEnvironment.pipelinesForIntake(transcribe: true).path,
            "BLOB_STORE_URL": "s3://\(moto.bucket)/drsocial", "S3_ENDPOINT": moto.endpoint.absoluteString, "S3_FORCE_PATH_STYLE": "1",
            "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey,
            "SCRATCH_DIR": try TestEnvironment.temporaryDirectory("secrets-scratch").path,
            "IMAP_URL": TestMailServer.url(mailbox: box.inbox), "IMAP_USER": TestMailServer.user, "IMAP_PASSWORD": TestMailServer.password,
            "INTAKE_DOMAIN": Self.domain, "IMAP_POLL_SECONDS": "1", "IMAP_INGESTED_FOLDER": box.ingested, "IMAP_REFUSED_FOLDER": box.refused,
            "LLM_ROUTER_URL": router.baseURL, "LLM_ROUTER_API_KEY": routerKey,
            // The transcription backend answers 404 (the router has no such route): its error must not carry the key.
            "TRANSCRIBE_URL": router.baseURL, "TRANSCRIBE_API_KEY": transcribeKey, "TRANSCRIBE_ATTEMPTS": "1",
            "MCP_SERVER_URL": mcp.url.absoluteString, "MCP_API_KEY": mcp.key,
            // Nothing listens there: the device publish fails, and its error is shown to operators.
            "DEVICE_HUB_URL": "http://127.0.0.1:\(try LoopbackPort.free())/wd/hub", "DEVICE_HUB_TOKEN": deviceToken,
            "DRSOCIAL_TEST_IG_SESSION": vaultCredential,
        ]
        var transcript: [(source: String, text: String)] = []

        let daemon = try DaemonProcess(arguments: ["serve"], environment: environment)
        defer { daemon.kill() }
        #expect(await daemon.waitForOutput(containing: "listening", within: 120), "\(daemon.output.suffix(2000))")
        let port = try #require(daemon.listeningPort)
        let web = PageClient(base: "http://127.0.0.1:\(port)", opsToken: opsToken)

        // The command line: `submit` with a file, and a development session token for the portal.
        let submit = try DaemonProcess(
            arguments: ["submit", "--talent", fixture.slug, "--prompt", "From the command line", "--platforms", "LI", "--file", TestEnvironment.testmedia("photo2.jpg").path],
            environment: environment
        )
        #expect(await submit.waitForExit(within: 120) == 0, "\(submit.output)")
        transcript.append(("submit", submit.output))
        let tokenRun = try DaemonProcess(arguments: ["token", "--talent", fixture.slug], environment: environment)
        #expect(await tokenRun.waitForExit(within: 120) == 0, "\(tokenRun.output)")
        transcript.append(("token", tokenRun.output))
        let session = try #require(tokenRun.output.split(whereSeparator: \.isWhitespace).first { $0.split(separator: ".").count == 3 }.map(String.init))

        // The portal: the sign-in link `token` printed, the page, then an upload with its CSRF token.
        let signIn = try await web.get("/me/sign-in?token=\(session)")
        #expect(signIn.status == 303, "\(signIn.text)")
        transcript.append(("GET /me/sign-in", signIn.text))
        let me = try await web.get("/me", session: session)
        transcript.append(("GET /me", me.text))
        let csrf = try #require(PageClient.csrf(in: me.text))
        let upload = try await web.upload(
            "/me/requests",
            session: session,
            csrf: csrf,
            fields: ["account": fixture.account(.linkedin).id.uuidString, "prompt": "From the portal"],
            file: TestEnvironment.testmedia("photo.jpg")
        )
        #expect(upload.status == 201, "\(upload.text)")
        transcript.append(("POST /me/requests", upload.text))

        // Four requests (two emails, the portal, submit) drafted through the router.
        func complete() async throws -> Int {
            try await pool.withConnection {
                try $0.query("SELECT count(*)::int AS n FROM post_requests WHERE talent_id = $1 AND status IN ('complete', 'failed')", [fixture.talentID])
                    .first!.decode("n")
            }
        }
        let drafted = try await daemon.watch.wait(until: { try await complete() == 4 }) { try await ProgressWatch.databaseActivity(pool) }
        #expect(drafted == .done, "\(drafted)\n\(daemon.output.suffix(3000))")

        // Approve one LinkedIn variant (published through MCP) and one Instagram variant (its hub is unreachable).
        let variants: [(id: UUID, account: UUID)] = try await pool.withConnection { connection in
            try connection.query(
                "SELECT id, account_id FROM content_queue WHERE talent_id = $1 AND state = 'awaiting_owner_approval' ORDER BY created_at",
                [fixture.talentID]
            ).rows.map { (try $0.decode("id"), try $0.decode("account_id")) }
        }
        let linkedin = try #require(variants.first { $0.account == fixture.account(.linkedin).id }?.id)
        let device = try #require(variants.first { $0.account == instagram.id }?.id)
        for id in [linkedin, device] {
            let approved = try await web.post("/me/variants/\(id)/approve", session: session, csrf: csrf)
            #expect(approved.status == 200, "\(approved.text)")
            transcript.append(("approve", approved.text))
        }
        let published = try await daemon.watch.wait(
            until: {
                try await pool.withConnection { connection in
                    let state: String = try connection.query("SELECT state FROM content_queue WHERE id = $1", [linkedin]).first!.decode("state")
                    let deviceOutcomes: Int = try connection.query(
                        "SELECT count(*)::int AS n FROM publish_attempts WHERE content_queue_id = $1 AND outcome IS NOT NULL",
                        [device]
                    ).first!.decode("n")
                    return state == "published" && deviceOutcomes > 0
                }
            },
            progress: { try await ProgressWatch.databaseActivity(pool) }
        )
        #expect(published == .done, "\(published)\n\(daemon.output.suffix(3000))")

        // Every page and route people read.
        let requests: [UUID] = try await pool.withConnection {
            try $0.query("SELECT id FROM post_requests WHERE talent_id = $1", [fixture.talentID]).rows.map { try $0.decode("id") }
        }
        let emails: [UUID] = try await pool.withConnection {
            try $0.query("SELECT id FROM intake_messages WHERE mailbox = $1", [box.inbox]).rows.map { try $0.decode("id") }
        }
        var paths = [
            "/healthz", "/metrics", "/ops/runs", "/api/runs", "/api/jobs/troubled", "/ops/mail", "/ops/mail?outcome=refused", "/api/mail",
            "/ops/publishing", "/ops/login",
        ]
        paths += requests.flatMap { ["/ops/runs/\($0)", "/api/runs/\($0)"] }
        paths += emails.map { "/ops/mail/\($0)/raw" }
        for path in paths {
            let page = try await web.get(path)
            #expect(page.status == 200, "\(path): \(page.status)")
            transcript.append(("GET \(path)", page.text))
        }
        for path in ["/me", "/me/fragments/requests", "/me/fragments/queue"] {
            transcript.append(("GET \(path)", try await web.get(path, session: session).text))
        }
        // Refusals say why without echoing what was presented.
        transcript.append(("wrong token", try await web.get("/api/runs", bearer: "wrong-\(opsToken.prefix(8))").text))
        transcript.append(("bad session", try await web.get("/me", session: session + "x").text))
        for command in [["runs", "list", "--json"], ["runs", "show", requests[0].uuidString, "--json"]] {
            let run = try DaemonProcess(arguments: command, environment: environment)
            #expect(await run.waitForExit(within: 120) == 0, "\(run.output)")
            transcript.append((command.joined(separator: " "), run.output))
        }
        #expect(await daemon.terminate(within: 60) == 0)
        transcript.append(("daemon (LOG_LEVEL=trace)", daemon.output))
        #expect(daemon.output.contains("trace") || daemon.output.contains("debug"), "the daemon logged at its most verbose")

        for (name, value) in secrets {
            for form in SecretForms.forms(of: value, user: name == "IMAP_PASSWORD" ? TestMailServer.user : nil) {
                for (source, text) in transcript where text.contains(form.text) {
                    let at = text.range(of: form.text)!.lowerBound
                    let from = text.index(at, offsetBy: -80, limitedBy: text.startIndex) ?? text.startIndex
                    Issue.record("\(name) (\(form.name)) appears in \(source): …\(text[from..<at])<secret>…")
                }
            }
        }
        // The session token is a credential too: `token` prints it by design, the daemon must never log it.
        for form in SecretForms.forms(of: session) where daemon.output.contains(form.text) {
            Issue.record("the portal session token (\(form.name)) appears in the daemon's log")
        }
        print("secrets test: \(secrets.count) secrets, \(transcript.count) outputs scanned, \(transcript.reduce(0) { $0 + $1.text.utf8.count }) bytes")
        await pool.close()
    }
}
