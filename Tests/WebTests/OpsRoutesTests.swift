import Blobs
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Intake
import Isolation
import Media
import Pipeline
import Store
import TestSupport
import Testing
import Web
import Workers

/// The operator pages and API, served by the real router over a real database.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase)))
struct OpsRoutesTests {
    let token = "web-test-operator-token"

    func app() async throws -> (some ApplicationProtocol, PostgresPool) {
        let pool = try await TestDatabase.shared.pool()
        let blobs = try LocalBlobStore(root: try TestEnvironment.temporaryDirectory("web-blobs"))
        let runner = try PipelineFactory.loadPostRequestRunner(
            directory: TestEnvironment.pipelinesDirectory,
            pool: pool,
            blobs: blobs,
            queue: JobQueue(pool: pool),
            mediaWorker: MediaWorkerClient(configuration: .init(executable: TestEnvironment.executable))
        )
        let reruns = PipelineRerunner(pool: pool, pipeline: runner.pipeline)
        let handler = PostRequestPipelineHandler(kind: PostRequestIntake.pipelineJobKind, runner: runner, pool: pool)
        let jobs = JobReviver(queue: JobQueue(pool: pool), handlers: [handler])
        let router = try await buildRouter(pool: pool, configuration: .init(opsToken: token) { ($0.reruns, $0.jobs) = (reruns, jobs) })
        return (Application(router: router), pool)
    }

    func submitRequest(_ pool: PostgresPool, prompt: String) async throws -> (TenantFixture, UUID) {
        let fixture = try await TenantFixture.make(on: pool)
        let intake = PostRequestIntake(
            pool: pool,
            blobs: try LocalBlobStore(root: try TestEnvironment.temporaryDirectory("web-blobs")),
            queue: JobQueue(pool: pool),
            logger: TestEnvironment.logger
        )
        let receipt = try await intake.submit(
            .init(
                talent: .slug(fixture.slug),
                source: .operator,
                prompt: prompt,
                platforms: [.instagram],
                files: [.init(url: TestEnvironment.testmedia("photo.jpg"))]
            )
        )
        return (fixture, receipt.requestID)
    }

    var bearer: HTTPFields { [.authorization: "Bearer \(token)"] }

    @Test func healthReportsTheDatabase() async throws {
        let (app, _) = try await app()
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#""database":"ok""#))
            }
        }
    }

    @Test func everyAnswerCarriesTheSecurityHeadersErrorsIncluded() async throws {
        let (app, _) = try await app()
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/runs", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            }
            try await client.execute(uri: "/api/runs/\(UUID().uuidString)", method: .get, headers: bearer) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
            }
            try await client.execute(uri: "/ops/login", method: .get) { response in
                #expect(response.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'none'") == true)
                #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            }
        }
    }

    @Test func withoutATokenPagesRedirectAndTheAPIRefuses() async throws {
        let (app, _) = try await app()
        try await app.test(.router) { client in
            try await client.execute(uri: "/ops/runs", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/ops/login")
            }
            try await client.execute(uri: "/api/runs", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/runs", method: .get, headers: [.authorization: "Bearer wrong-token-of-same-size"]) {
                #expect($0.status == .unauthorized)
            }
        }
    }

    @Test func loginSetsACookieThatOpensThePages() async throws {
        let (app, pool) = try await app()
        let (fixture, requestID) = try await submitRequest(pool, prompt: "Cookie <b>escaped</b> prompt")
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/ops/login",
                method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=nope")
            ) { #expect($0.status == .unauthorized) }

            let cookie = try await client.execute(
                uri: "/ops/login",
                method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=\(token)")
            ) { response in
                #expect(response.status == .seeOther)
                let setCookie = try #require(response.headers[.setCookie])
                #expect(setCookie.contains("HttpOnly"))
                return String(setCookie.prefix { $0 != ";" })
            }

            try await client.execute(uri: "/ops/runs", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains(fixture.slug))
                #expect(html.contains(requestID.uuidString.lowercased()))
                #expect(!html.contains("<b>escaped</b>"), "prompts are HTML-escaped")
                #expect(response.headers[.contentSecurityPolicy] != nil)
            }
            try await client.execute(uri: "/ops/runs/\(requestID.uuidString.lowercased())", method: .get, headers: [.cookie: cookie]) {
                #expect($0.status == .ok)
                #expect(String(buffer: $0.body).contains("photo.jpg"))
            }
        }
    }

    @Test func theAPIReturnsRunsAsJSON() async throws {
        let (app, pool) = try await app()
        let (_, requestID) = try await submitRequest(pool, prompt: "JSON prompt")
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/runs/\(requestID.uuidString)", method: .get, headers: bearer) { response in
                #expect(response.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
                let summary = json?["summary"] as? [String: Any]
                #expect(summary?["prompt"] as? String == "JSON prompt")
                #expect(summary?["status"] as? String == "received")
                #expect((json?["attachments"] as? [Any])?.count == 1)
            }
            try await client.execute(uri: "/api/runs/\(UUID().uuidString)", method: .get, headers: bearer) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/api/runs/not-a-uuid", method: .get, headers: bearer) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/api/jobs/troubled", method: .get, headers: bearer) { #expect($0.status == .ok) }
        }
    }

    @Test func refusedMailIsListedWithItsReasonAndRawDownload() async throws {
        let pool = try await TestDatabase.shared.pool()
        let blobs = try LocalBlobStore(root: try TestEnvironment.temporaryDirectory("web-mail"))
        let raw = Data("From: a@example.com\r\nTo: who+settings@intake.test\r\nSubject: <script>x</script>\r\n\r\nhi\r\n".utf8)
        let stored = try await blobs.store(data: raw, in: .unassigned)
        let mailbox = "web-\(UUID().uuidString.prefix(8))"
        var message = IntakeMessageRepository.NewMessage(
            key: .init(mailbox: mailbox, uidValidity: 1, uid: 7),
            outcome: .refused,
            folder: "drsocial/refused"
        )
        (message.rawSHA256, message.rawPath, message.rawBytes) = (stored.sha256, stored.path, stored.bytes)
        (message.sender, message.subject, message.reason) = ("a@example.com", "<script>x</script>", "refused: +settings is reserved")
        message.routes = [.init(address: "who+settings@intake.test", header: "To", decision: "refused: +settings is reserved")]
        let recorded = message
        let inserted = try await pool.withConnection { connection in try IntakeMessageRepository().insert(recorded, on: connection) }
        let id = try #require(inserted)
        let router = try await buildRouter(pool: pool, configuration: .init(opsToken: token), blobs: blobs)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/ops/mail?outcome=refused", method: .get) { #expect($0.status == .seeOther) }
            try await client.execute(uri: "/ops/mail?outcome=refused", method: .get, headers: bearer) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("+settings is reserved"))
                #expect(html.contains("/ops/mail/\(id.uuidString.lowercased())/raw"))
                #expect(!html.contains("<script>x</script>"), "subjects are escaped")
            }
            try await client.execute(uri: "/ops/mail/\(id.uuidString.lowercased())/raw", method: .get, headers: bearer) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "message/rfc822")
                #expect(String(buffer: response.body) == String(decoding: raw, as: UTF8.self))
            }
            try await client.execute(uri: "/api/mail?outcome=refused", method: .get, headers: bearer) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(id.uuidString))
            }
            try await client.execute(uri: "/api/mail?outcome=bogus", method: .get, headers: bearer) { #expect($0.status == .badRequest) }
        }
    }

    @Test func anOperatorRevivesADeadPipelineJobAndItsRequestReopens() async throws {
        let (app, pool) = try await app()
        let (_, requestID) = try await submitRequest(pool, prompt: "Revive me")
        // As when the pipeline job died: the job dead, the request failed because of it.
        let jobID: Int64 = try await pool.withConnection { connection in
            try connection.query(
                "UPDATE post_requests SET status = 'failed', failure_reason = 'pipeline job is dead: boom', processed_at = now() WHERE id = $1",
                [requestID]
            )
            return try connection.query(
                """
                UPDATE jobs SET status = 'dead', attempts = max_attempts, last_error = 'boom', finished_at = now()
                WHERE payload_json->>'post_request_id' = $1 RETURNING id
                """,
                [requestID.uuidString]
            ).first!.decode("id")
        }
        @Sendable func state() async throws -> (job: String, attempts: Int, max: Int, request: String, reason: String?) {
            try await pool.withConnection { connection in
                let job = try connection.query("SELECT status, attempts, max_attempts FROM jobs WHERE id = $1", [jobID]).first!
                let request = try connection.query("SELECT status, failure_reason FROM post_requests WHERE id = $1", [requestID]).first!
                return (
                    try job.decode("status"), try job.decode("attempts"), try job.decode("max_attempts"),
                    try request.decode("status"), try request.decodeIfPresent("failure_reason")
                )
            }
        }
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/jobs/\(jobID)/revive", method: .post) { response in
                #expect(response.status == .unauthorized)
            }
            #expect(try await state().job == "dead", "nothing done without the token")
            try await client.execute(uri: "/ops/runs", method: .get, headers: bearer) { response in
                #expect(String(buffer: response.body).contains("action=\"/ops/jobs/\(jobID)/revive\""), "the dead job has a Retry button")
            }
            try await client.execute(uri: "/api/jobs/\(jobID)/revive", method: .post, headers: bearer) { response in
                #expect(response.status == .ok)
                let body = String(buffer: response.body)
                #expect(body.contains("\"reopenedRequestID\" : \"\(requestID.uuidString)\""), "\(body)")
            }
            let after = try await state()
            #expect(after.job == "pending")
            #expect(after.max == after.attempts + JobQueue.Configuration().defaultMaxAttempts)
            #expect(after.request == "received")
            #expect(after.reason == nil)
            try await client.execute(uri: "/api/jobs/\(jobID)/revive", method: .post, headers: bearer) { response in
                #expect(response.status == .conflict, "a pending job is not revived twice")
            }
            // The page's form does the same and returns to the request's page.
            try await pool.withConnection { connection in
                try connection.query("UPDATE jobs SET status = 'dead' WHERE id = $1", [jobID])
                try connection.query("UPDATE post_requests SET status = 'failed' WHERE id = $1", [requestID])
            }
            try await client.execute(uri: "/ops/jobs/\(jobID)/revive", method: .post, headers: bearer) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/ops/runs/\(requestID.uuidString.lowercased())")
            }
            #expect(try await state().job == "pending")
        }
    }

    @Test func theRunPageDrawsEachStageWhereItRanInTime() async throws {
        // A ran 0–1.0 s, B 0.5–2.0 s beside it, C took half a millisecond at the very end: a 2 s span.
        let (app, pool) = try await app()
        let (fixture, requestID) = try await submitRequest(pool, prompt: "Waterfall")
        let t0 = Date(timeIntervalSince1970: 1_790_000_000)
        try await pool.withConnection { connection in
            let runs = PipelineRunRepository()
            let runID = try #require(
                try runs.beginRun(
                    requestID: requestID,
                    tenantID: fixture.tenantID,
                    requestOpen: true,
                    pipeline: "post_request",
                    on: connection
                )
            ).id
            for (position, (stage, offset, milliseconds, status)) in [
                ("alpha", 0.0, 1000.0, "succeeded"), ("beta", 0.5, 1500.0, "failed"), ("gamma", 1.999, 0.5, "succeeded"),
            ].enumerated() {
                try runs.stageStarted(runID: runID, tenantID: fixture.tenantID, stage: stage, position: position, attachmentID: nil, on: connection)
                try connection.query(
                    "UPDATE stage_runs SET started_at = $3, duration_ms = $4, status = $5 WHERE pipeline_run_id = $1 AND stage = $2",
                    [runID, stage, t0.addingTimeInterval(offset), milliseconds, status]
                )
            }
        }
        try await app.test(.router) { client in
            try await client.execute(uri: "/ops/runs/\(requestID)", method: .get, headers: bearer) { response in
                let page = String(buffer: response.body)
                #expect(page.contains(#"<rect class="bar-succeeded" x="0" y="1" width="500" height="10"/>"#), "alpha")
                #expect(page.contains(#"<rect class="bar-failed" x="250" y="1" width="750" height="10"/>"#), "beta, beside alpha")
                #expect(page.contains(#"<rect class="bar-succeeded" x="996" y="1" width="4" height="10"/>"#), "gamma, thin but visible")
                #expect(page.contains("0 – 2.0 s"))
            }
        }
    }

    @Test func theRunPageShowsTheSceneStripAndServesKeyframes() async throws {
        let pool = try await TestDatabase.shared.pool()
        let blobs = try LocalBlobStore(root: try TestEnvironment.temporaryDirectory("web-keyframes"))
        let (fixture, requestID) = try await submitRequest(pool, prompt: "Scenes")
        let thumbnail = try await blobs.store(
            data: Data([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]),
            in: .talent(tenantID: fixture.tenantID, talentID: fixture.talentID)
        )
        let attachment = try #require(try await pool.withConnection { try PostRequestRepository().attachments(requestID: requestID, on: $0) }.first)
        let keyframes = """
            {"keyframes":[{"scene":0,"frame":12,"seconds":0.4,"sceneStartSeconds":0,"sceneEndSeconds":1.5,"sharpness":9,
              "width":64,"height":64,"image":"\(thumbnail.path)","thumbnail":"\(thumbnail.path)"}]}
            """
        try await pool.withConnection { connection in
            try PostRequestRepository().mergeAnalysis(attachmentID: attachment.id, key: "keyframes", json: keyframes, on: connection)
            try PostRequestRepository().mergeAnalysis(
                attachmentID: attachment.id,
                key: "ocr",
                json: #"{"text":"<b>Open</b> late"}"#,
                on: connection
            )
        }
        let router = try await buildRouter(pool: pool, configuration: .init(opsToken: token), blobs: blobs)
        let id = attachment.id.uuidString.lowercased()
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/ops/runs/\(requestID)", method: .get, headers: bearer) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("src=\"/ops/attachments/\(id)/keyframes/0?size=thumb\""))
                #expect(page.contains("0:00.00–0:01.50"))
                #expect(page.contains("&lt;b&gt;Open&lt;/b&gt; late"), "text on screen is escaped")
            }
            try await client.execute(uri: "/ops/attachments/\(id)/keyframes/0?size=thumb", method: .get, headers: bearer) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/jpeg")
                #expect(Array(response.body.readableBytesView) == [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3])
            }
            try await client.execute(uri: "/ops/attachments/\(id)/keyframes/3", method: .get, headers: bearer) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/ops/attachments/\(id)/keyframes/0", method: .get) { response in
                #expect(response.status != .ok, "keyframes need the operator token")
            }
        }
    }

    @Test func operatorsRerunAStageFromThePageOrTheAPI() async throws {
        let (app, pool) = try await app()
        let (_, requestID) = try await submitRequest(pool, prompt: "Rerun me")
        let id = requestID.uuidString.lowercased()
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/runs/\(id)/rerun", method: .post, body: ByteBuffer(string: #"{"stage":"ocr"}"#)) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/ops/runs/\(id)", method: .get, headers: bearer) { response in
                let page = String(buffer: response.body)
                for stage in ["probe", "ocr", "draft", "enqueue"] {
                    #expect(page.contains(#"name="stage" value="\#(stage)""#), "a rerun button for \(stage)")
                }
                #expect(page.contains(#"action="/ops/runs/\#(id)/rerun""#))
            }
            try await client.execute(
                uri: "/api/runs/\(id)/rerun",
                method: .post,
                headers: bearer,
                body: ByteBuffer(string: #"{"stage":"ocr"}"#)
            ) { response in
                #expect(response.status == .accepted)
                let body = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
                #expect(body?["stages"] as? [String] == ["ocr", "draft", "moderate", "enqueue"], "\(String(describing: body))")
                #expect(body?["waiting"] as? Bool == true, "the first run has not finished")
            }
            try await client.execute(
                uri: "/api/runs/\(id)/rerun",
                method: .post,
                headers: bearer,
                body: ByteBuffer(string: #"{"stage":"sparkle"}"#)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("no stage 'sparkle'"))
            }
            try await client.execute(
                uri: "/api/runs/\(UUID().uuidString.lowercased())/rerun",
                method: .post,
                headers: bearer,
                body: ByteBuffer(string: #"{"stage":"ocr"}"#)
            ) { #expect($0.status == .notFound) }
            try await client.execute(
                uri: "/ops/runs/\(id)/rerun",
                method: .post,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "stage=draft")
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/ops/runs/\(id)")
            }
            try await client.execute(uri: "/ops/runs/\(id)", method: .get, headers: bearer) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("rerun of ocr, draft, moderate, enqueue"), "queued reruns are listed")
                #expect(page.contains("rerun of draft, moderate, enqueue"))
            }
        }
        let queued: Int = try await pool.withConnection {
            try $0.query("SELECT count(*) AS n FROM pipeline_runs WHERE post_request_id = $1 AND status = 'queued'", [requestID])
                .first!.decode("n")
        }
        #expect(queued == 2)
    }
}
