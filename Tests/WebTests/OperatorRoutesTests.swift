import Blobs
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Intake
import Isolation
import Logging
import Media
import NIOCore
import Pipeline
import Store
import TestSupport
import Testing
import Workers

@testable import Web

/// Tenant-scoped operators and cross-tenant isolation of every route, over a real database: a tenant's
/// operator or talent reaches none of another tenant's requests, variants, runs, jobs, accounts, email or media
/// (404, nothing changed); a talent reaches no other talent's variants; a viewer reads but every action is 403;
/// the platform key `OPS_TOKEN` sees everything and every use of it is logged.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase)))
struct OperatorRoutesTests {
    static let secret = "operator-test-secret-0123456789abcdef-01"
    static let opsToken = "operator-test-platform-key"

    /// One tenant's rows, made the way the pipeline and the publisher leave them.
    struct Tenant {
        let fixture: TenantFixture
        /// The talent's owner user (`talents.owner_user_id`), whose session is the talent's.
        let owner: UUID
        let request: UUID
        let attachment: UUID
        /// Two variants awaiting approval.
        let awaiting: [UUID]
        /// A variant whose publish failed, with a composed reel.
        let failed: UUID
        let deadJob: Int64
        let mail: UUID
        var tenantID: UUID { fixture.tenantID }
    }

    struct World {
        let pool: PostgresPool
        let tokens: SessionTokens
        let logs: LogRecorder
        let app: Application<RouterResponder<WebRequestContext>>
        let a: Tenant
        let b: Tenant

        /// A session token for a tenant user with `role` in the token, for the row `rowRole` (created here).
        func operatorToken(_ tenant: Tenant, role: OperatorRole, rowRole: OperatorRole? = nil) async throws -> String {
            let member = try await pool.withTransaction { connection in
                try OperatorRepository().findOrCreate(
                    tenantID: tenant.tenantID,
                    role: rowRole ?? role,
                    email: "\(UUID().uuidString.prefix(8))@ops.test",
                    on: connection
                )
            }
            return try await tokens.mint(userID: member.userID, tenantID: tenant.tenantID, role: role.rawValue, lifetime: 600)
        }

        /// The talent's session token.
        func talentToken(_ tenant: Tenant) async throws -> String {
            try await tokens.mint(userID: tenant.owner, tenantID: tenant.tenantID, role: "authenticated", lifetime: 600)
        }
    }

    func world() async throws -> World {
        let pool = try await TestDatabase.shared.pool()
        let blobs = try LocalBlobStore(root: try TestEnvironment.temporaryDirectory("operator-blobs"))
        let runner = try PipelineFactory.loadPostRequestRunner(
            directory: TestEnvironment.pipelinesDirectory,
            pool: pool,
            blobs: blobs,
            queue: JobQueue(pool: pool),
            mediaWorker: MediaWorkerClient(configuration: .init(executable: TestEnvironment.executable))
        )
        let handler = PostRequestPipelineHandler(kind: PostRequestIntake.pipelineJobKind, runner: runner, pool: pool)
        let router = try await buildRouter(
            pool: pool,
            configuration: .init(opsToken: Self.opsToken) {
                $0.jwtSecret = Self.secret
                $0.reruns = PipelineRerunner(pool: pool, pipeline: runner.pipeline)
                $0.jobs = JobReviver(queue: JobQueue(pool: pool), handlers: [handler])
            },
            blobs: blobs
        )
        let logs = LogRecorder()
        return World(
            pool: pool,
            tokens: try await SessionTokens.make(secret: Self.secret),
            logs: logs,
            app: Application(router: router, logger: logs.logger()),
            a: try await Self.tenant(pool, blobs),
            b: try await Self.tenant(pool, blobs)
        )
    }

    /// A tenant with a talent, a finished request with a photo (and its keyframe), two variants awaiting approval,
    /// a failed publish with a reel, a dead pipeline job and the email the request came from.
    static func tenant(_ pool: PostgresPool, _ blobs: LocalBlobStore, fixture given: TenantFixture? = nil) async throws -> Tenant {
        let fixture: TenantFixture
        if let given { fixture = given } else { fixture = try await TenantFixture.make(on: pool) }
        let owner = try await pool.withConnection { try fixture.owner(on: $0) }
        let photo = try await blobs.store(
            data: try Data(contentsOf: TestEnvironment.testmedia("photo.jpg")),
            in: .talent(tenantID: fixture.tenantID, talentID: fixture.talentID)
        )
        let mailbox = "operators-\(UUID().uuidString.prefix(8))"
        return try await pool.withTransaction { connection in
            let request: UUID = try connection.query(
                """
                INSERT INTO post_requests (tenant_id, talent_id, source, prompt_text, target_account_ids, status)
                VALUES ($1, $2, 'email', 'Beach day', $3, 'complete') RETURNING id
                """,
                [fixture.tenantID, fixture.talentID, fixture.accounts.map(\.id)]
            ).first!.decode("id")
            let keyframes = #"{"keyframes": {"keyframes": [{"image": "\#(photo.path)", "thumbnail": "\#(photo.path)"}]}}"#
            let attachment: UUID = try connection.query(
                """
                INSERT INTO post_request_attachments (tenant_id, post_request_id, filename, storage_path, mime, bytes, sha256, analysis_json)
                VALUES ($1, $2, 'photo.jpg', $3, 'image/jpeg', $4, $5, $6::jsonb) RETURNING id
                """,
                [fixture.tenantID, request, photo.path, photo.bytes, photo.sha256, keyframes]
            ).first!.decode("id")
            var variants: [UUID] = []
            for (index, account) in fixture.accounts.prefix(3).enumerated() {
                let reel = index == 2
                let content: UUID = try connection.query(
                    """
                    INSERT INTO content (tenant_id, talent_id, hash, type, asset_url, caption, generated_by, moderated)
                    VALUES ($1, $2, $3, $4, $5, 'Sun and sea', 'offline', true) RETURNING id
                    """,
                    [fixture.tenantID, fixture.talentID, UUID().uuidString, reel ? "reel" : "text", reel ? photo.path : nil]
                ).first!.decode("id")
                variants.append(
                    try connection.query(
                        """
                        INSERT INTO content_queue (tenant_id, talent_id, account_id, content_id, origin, post_request_id, state, publish_error)
                        VALUES ($1, $2, $3, $4, 'request_email', $5, $6, $7) RETURNING id
                        """,
                        [
                            fixture.tenantID, fixture.talentID, account.id, content, request, reel ? "failed" : "awaiting_owner_approval",
                            reel ? "the platform said no" : nil,
                        ]
                    ).first!.decode("id")
                )
            }
            let job: Int64 = try connection.query(
                """
                INSERT INTO jobs (kind, payload_json, tenant_id, status, attempts, max_attempts, idempotency_key, last_error)
                VALUES ($1, jsonb_build_object('post_request_id', $2::text), $3, 'dead', 8, 8, $4, 'boom') RETURNING id
                """,
                [PostRequestIntake.pipelineJobKind, request.uuidString.lowercased(), fixture.tenantID, "operators-test:\(UUID().uuidString)"]
            ).first!.decode("id")
            var message = IntakeMessageRepository.NewMessage(
                key: .init(mailbox: mailbox, uidValidity: 1, uid: 1),
                outcome: .ingested,
                folder: "drsocial/ingested"
            )
            (message.rawSHA256, message.rawPath, message.rawBytes) = (photo.sha256, photo.path, photo.bytes)
            (message.sender, message.subject, message.postRequestIDs) = ("\(fixture.slug)@example.com", "Beach day", [request])
            let mail = try IntakeMessageRepository().insert(message, on: connection)!
            return Tenant(
                fixture: fixture,
                owner: owner,
                request: request,
                attachment: attachment,
                awaiting: Array(variants.prefix(2)),
                failed: variants[2],
                deadJob: job,
                mail: mail
            )
        }
    }

    /// Everything an action could change of a tenant's rows, to compare before and after.
    struct Snapshot: Equatable {
        let runs: Int
        let jobs: [String]
        let accounts: [String]
        let variants: [String]
        let events: Int
        let requestStatus: String
    }

    static func snapshot(_ pool: PostgresPool, _ tenant: Tenant) async throws -> Snapshot {
        try await pool.withConnection { connection in
            func strings(_ sql: String) throws -> [String] {
                try connection.query(sql, [tenant.tenantID]).rows.map { try $0.decode("v") }
            }
            return Snapshot(
                runs: try connection.query("SELECT count(*)::int AS n FROM pipeline_runs WHERE tenant_id = $1", [tenant.tenantID]).first!.decode("n"),
                jobs: try strings("SELECT id::text || ':' || status || ':' || run_after::text AS v FROM jobs WHERE tenant_id = $1 ORDER BY id"),
                accounts: try strings("SELECT id::text || ':' || status AS v FROM accounts WHERE tenant_id = $1 ORDER BY id"),
                variants: try strings(
                    "SELECT id::text || ':' || state || ':' || needs_check::text || ':' || coalesce(approved_by_user_id::text, '') AS v FROM content_queue WHERE tenant_id = $1 ORDER BY id"
                ),
                events: try connection.query("SELECT count(*)::int AS n FROM events WHERE tenant_id = $1", [tenant.tenantID]).first!.decode("n"),
                requestStatus: try connection.query("SELECT status FROM post_requests WHERE id = $1", [tenant.request]).first!.decode("status")
            )
        }
    }

    /// Every action of `/ops` and `/api` on one tenant's rows, as (method, uri, body, content type).
    static func actions(on tenant: Tenant) -> [(uri: String, body: String, json: Bool)] {
        let request = tenant.request.uuidString.lowercased()
        let failed = tenant.failed.uuidString.lowercased()
        let account = tenant.fixture.accounts[0].id.uuidString.lowercased()
        return [
            ("/api/runs/\(request)/rerun", #"{"stage":"draft"}"#, true),
            ("/ops/runs/\(request)/rerun", "stage=draft", false),
            ("/api/jobs/\(tenant.deadJob)/revive", "", true),
            ("/ops/jobs/\(tenant.deadJob)/revive", "", false),
            ("/api/accounts/\(account)/pause", #"{"reason":"x"}"#, true),
            ("/ops/accounts/\(account)/pause", "reason=x", false),
            ("/api/accounts/\(account)/resume", "", true),
            ("/ops/accounts/\(account)/resume", "", false),
            ("/api/variants/\(failed)/retry-publish", "", true),
            ("/ops/variants/\(failed)/retry-publish", "", false),
            ("/api/variants/\(failed)/check", #"{"post_id":"p1"}"#, true),
            ("/ops/variants/\(failed)/check", "post_id=p1", false),
        ]
    }

    static func post(
        _ client: some TestClientProtocol,
        _ uri: String,
        token: String,
        body: String = "",
        json: Bool = true
    ) async throws -> (HTTPResponse.Status, String) {
        let headers: HTTPFields = [
            .authorization: "Bearer \(token)", .contentType: json ? "application/json" : "application/x-www-form-urlencoded",
        ]
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) {
            ($0.status, String(buffer: $0.body))
        }
    }

    /// True when `body` names `id` (JSON writes ids in capitals, pages in small letters).
    static func has(_ body: String, _ id: UUID) -> Bool { body.lowercased().contains(id.uuidString.lowercased()) }

    static func get(_ client: some TestClientProtocol, _ uri: String, token: String) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"]) { ($0.status, String(buffer: $0.body)) }
    }

    // MARK: Tenant operators

    @Test func aTenantOperatorReadsOnlyTheirTenant() async throws {
        let w = try await world()
        let token = try await w.operatorToken(w.a, role: .operator)
        let (a, b) = (w.a, w.b)
        try await w.app.test(.router) { client in
            let (listStatus, list) = try await Self.get(client, "/api/runs", token: token)
            #expect(listStatus == .ok)
            #expect(Self.has(list, a.request) && !Self.has(list, b.request), "\(list.prefix(300))")
            let (pageStatus, page) = try await Self.get(client, "/ops/runs", token: token)
            #expect(pageStatus == .ok && page.contains(a.fixture.slug) && !page.contains(b.fixture.slug))
            let (jobsStatus, jobs) = try await Self.get(client, "/api/jobs/troubled", token: token)
            #expect(jobsStatus == .ok && jobs.contains("\"id\" : \(a.deadJob)") && !jobs.contains("\"id\" : \(b.deadJob)"), "\(jobs.prefix(300))")
            let (accountsStatus, accounts) = try await Self.get(client, "/api/accounts", token: token)
            #expect(accountsStatus == .ok && accounts.contains(a.fixture.slug) && !accounts.contains(b.fixture.slug))
            let (mailStatus, mail) = try await Self.get(client, "/api/mail", token: token)
            #expect(mailStatus == .ok && Self.has(mail, a.mail) && !Self.has(mail, b.mail), "\(mail.prefix(300))")
            // Their own tenant's run, keyframe, reel and raw email open; the other tenant's are not found.
            for (tenant, expected) in [(a, HTTPResponse.Status.ok), (b, .notFound)] {
                let request = tenant.request.uuidString.lowercased()
                for uri in [
                    "/api/runs/\(request)", "/ops/runs/\(request)", "/ops/attachments/\(tenant.attachment)/keyframes/0",
                    "/ops/attachments/\(tenant.attachment)/keyframes/0?size=thumb", "/ops/variants/\(tenant.failed)/reel",
                    "/ops/mail/\(tenant.mail)/raw",
                ] {
                    let (status, body) = try await Self.get(client, uri, token: token)
                    #expect(status == expected, "\(uri): \(body.prefix(200))")
                    if tenant.tenantID == b.tenantID { #expect(!body.contains("Beach day") && !body.contains(b.fixture.slug), "\(uri) shows nothing of B") }
                }
            }
        }
    }

    @Test func aTenantOperatorCannotActOnAnotherTenant() async throws {
        let w = try await world()
        let token = try await w.operatorToken(w.a, role: .operator)
        let before = try await Self.snapshot(w.pool, w.b)
        let b = w.b
        try await w.app.test(.router) { client in
            for action in Self.actions(on: b) {
                let (status, body) = try await Self.post(client, action.uri, token: token, body: action.body, json: action.json)
                #expect(status == .notFound, "\(action.uri): \(status) \(body.prefix(200))")
            }
        }
        #expect(try await Self.snapshot(w.pool, w.b) == before, "nothing of tenant B changed")
        // The same operator acts on their own tenant.
        let a = w.a
        try await w.app.test(.router) { client in
            let (rerun, rerunBody) = try await Self.post(client, "/api/runs/\(a.request)/rerun", token: token, body: #"{"stage":"draft"}"#)
            #expect(rerun == .accepted, "\(rerunBody)")
            #expect(try await Self.post(client, "/api/accounts/\(a.fixture.accounts[0].id)/pause", token: token).0 == .ok)
            #expect(try await Self.post(client, "/api/jobs/\(a.deadJob)/revive", token: token).0 == .ok)
        }
        let after = try await Self.snapshot(w.pool, w.a)
        #expect(after.accounts.contains { $0.hasSuffix(":paused") } && !after.jobs.contains { $0.hasPrefix("\(a.deadJob):dead:") })
        let requestedBy: String? = try await w.pool.withConnection { connection in
            try connection.query(
                "SELECT requested_by FROM pipeline_runs WHERE post_request_id = $1 AND rerun_stages IS NOT NULL",
                [a.request]
            ).first?.decodeIfPresent("requested_by")
        }
        #expect(requestedBy?.hasPrefix("operator:") == true, "the run names the tenant user who asked: \(requestedBy ?? "nil")")
    }

    @Test func aViewerReadsButEveryActionIsForbidden() async throws {
        let w = try await world()
        let token = try await w.operatorToken(w.a, role: .viewer)
        let before = try await Self.snapshot(w.pool, w.a)
        let a = w.a
        try await w.app.test(.router) { client in
            #expect(try await Self.get(client, "/api/runs/\(a.request)", token: token).0 == .ok)
            let (status, page) = try await Self.get(client, "/ops/runs", token: token)
            #expect(status == .ok && page.contains(a.fixture.slug) && !page.contains("/revive\""), "no action buttons for a viewer")
            for action in Self.actions(on: a) {
                let (status, body) = try await Self.post(client, action.uri, token: token, body: action.body, json: action.json)
                #expect(status == .forbidden, "\(action.uri): \(status) \(body.prefix(200))")
            }
        }
        #expect(try await Self.snapshot(w.pool, w.a) == before, "nothing changed")
    }

    @Test func aTokenNeverWidensWhatItsUsersRowAllows() async throws {
        let w = try await world()
        // A token that says operator for a user whose row says viewer acts as a viewer.
        let narrowed = try await w.operatorToken(w.a, role: .operator, rowRole: .viewer)
        // A user of tenant A presenting tenant B's id, a user with no row, a talent's session: none is an operator.
        let member = try await w.pool.withTransaction {
            try OperatorRepository().findOrCreate(tenantID: w.a.tenantID, role: .owner, email: nil, on: $0)
        }
        let otherTenant = try await w.tokens.mint(userID: member.userID, tenantID: w.b.tenantID, role: "owner", lifetime: 600)
        let nobody = try await w.tokens.mint(userID: UUID(), tenantID: w.a.tenantID, role: "owner", lifetime: 600)
        let talent = try await w.talentToken(w.a)
        let expired = try await w.tokens.mint(userID: member.userID, tenantID: w.a.tenantID, role: "owner", lifetime: -60)
        let before = try await Self.snapshot(w.pool, w.a)
        let a = w.a
        try await w.app.test(.router) { client in
            #expect(try await Self.post(client, "/api/accounts/\(a.fixture.accounts[0].id)/pause", token: narrowed).0 == .forbidden)
            for token in [otherTenant, nobody, talent, expired] {
                #expect(try await Self.get(client, "/api/runs", token: token).0 == .unauthorized)
                #expect(try await Self.post(client, "/api/accounts/\(a.fixture.accounts[0].id)/pause", token: token).0 == .unauthorized)
                let (page, _) = try await Self.get(client, "/ops/runs", token: token)
                #expect(page == .seeOther, "pages send them to the login form")
            }
            // A suspended tenant's operators are refused.
            let owner = try await w.tokens.mint(userID: member.userID, tenantID: a.tenantID, role: "owner", lifetime: 600)
            #expect(try await Self.get(client, "/api/runs", token: owner).0 == .ok)
            _ = try await w.pool.withConnection { try $0.query("UPDATE tenants SET status = 'suspended' WHERE id = $1", [a.tenantID]) }
            #expect(try await Self.get(client, "/api/runs", token: owner).0 == .unauthorized)
        }
        #expect(try await Self.snapshot(w.pool, w.a) == before)
    }

    @Test func theLoginFormTakesAnOperatorsSessionToken() async throws {
        let w = try await world()
        let token = try await w.operatorToken(w.a, role: .admin)
        let (a, b) = (w.a, w.b)
        try await w.app.test(.router) { client in
            let cookie = try await client.execute(
                uri: "/ops/login",
                method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=\(token)")
            ) { response in
                #expect(response.status == .seeOther)
                return String(try #require(response.headers[.setCookie]).prefix { $0 != ";" })
            }
            try await client.execute(uri: "/ops/runs/\(a.request)", method: .get, headers: [.cookie: cookie]) { #expect($0.status == .ok) }
            try await client.execute(uri: "/ops/runs/\(b.request)", method: .get, headers: [.cookie: cookie]) { #expect($0.status == .notFound) }
        }
        #expect(!w.logs.recorded.contains { $0.message == "OPS_TOKEN used" }, "a tenant operator's requests are not logged as the platform key")
    }

    // MARK: The platform key

    @Test func opsTokenSeesEveryTenantAndEachUseIsLogged() async throws {
        let w = try await world()
        let (a, b) = (w.a, w.b)
        let uris = ["/api/runs", "/api/runs/\(b.request)", "/ops/runs/\(a.request)", "/api/mail"]
        try await w.app.test(.router) { client in
            let (status, list) = try await Self.get(client, uris[0], token: Self.opsToken)
            #expect(status == .ok && Self.has(list, a.request) && Self.has(list, b.request))
            for uri in uris.dropFirst() { #expect(try await Self.get(client, uri, token: Self.opsToken).0 == .ok, "\(uri)") }
            // A failed guess is not a use of the key.
            #expect(try await Self.get(client, "/api/runs", token: Self.opsToken + "x").0 == .unauthorized)
        }
        let uses = w.logs.recorded.filter { $0.message == "OPS_TOKEN used" }
        #expect(uses.count == uris.count, "one line per request: \(uses.map(\.metadata))")
        #expect(uses.allSatisfy { $0.level == .info && $0.metadata["credential"] == "OPS_TOKEN" })
        #expect(Set(uses.compactMap { $0.metadata["path"] }) == Set(uris))
        #expect(uses.contains { $0.metadata["route"] == "/api/runs/{id}" || $0.metadata["route"] == "/api/runs/:id" }, "\(uses.map(\.metadata))")
        let everything = w.logs.recorded.map { $0.message + " " + $0.metadata.values.joined(separator: " ") }.joined(separator: "\n")
        #expect(!everything.contains(Self.opsToken), "the key itself is never logged")
    }

    // MARK: Talents

    @Test func aTalentCannotReachAnotherTenantsRequestsVariantsOrMedia() async throws {
        let w = try await world()
        let (a, b) = (w.a, w.b)
        let headers = try await Self.portalHeaders(w, try await w.talentToken(a))
        let before = try await Self.snapshot(w.pool, b)
        try await w.app.test(.router) { client in
            // Their own media opens, so the routes work; tenant B's do not.
            try await client.execute(uri: "/me/media/\(a.attachment)", method: .get, headers: headers) { #expect($0.status == .ok) }
            try await client.execute(uri: "/me/variants/\(a.failed)/reel", method: .get, headers: headers) { #expect($0.status == .ok) }
            try await client.execute(uri: "/me/media/\(b.attachment)", method: .get, headers: headers) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/me/variants/\(b.failed)/reel", method: .get, headers: headers) { #expect($0.status == .notFound) }
            for (uri, body) in Self.talentActions(on: b) {
                let (status, message) = try await Self.portalPost(client, uri, headers, body)
                #expect(status == .notFound, "\(uri): \(status) \(message)")
            }
            try await client.execute(uri: "/me/fragments/queue", method: .get, headers: headers) {
                #expect(!String(buffer: $0.body).contains(b.awaiting[0].uuidString.lowercased()))
            }
        }
        #expect(try await Self.snapshot(w.pool, b) == before, "nothing of tenant B changed")
    }

    @Test func aTalentCannotActOnAnotherTalentsVariantInTheirOwnTenant() async throws {
        let w = try await world()
        // A second talent in tenant A, with its own owner, requests and variants.
        let slug = "t-" + UUID().uuidString.prefix(12).lowercased()
        let second = try await w.pool.withTransaction { connection in
            let talentID = try TenantSeeder().createTalent(
                .init(slug: slug, displayName: "Second \(slug)", accounts: [(.instagram, "\(slug).ig", "device"), (.tiktok, "\(slug).tt", "device"), (.linkedin, "\(slug).li", "mcp")]),
                tenantID: w.a.tenantID,
                on: connection
            )
            return TenantFixture(
                tenantID: w.a.tenantID,
                talentID: talentID,
                slug: slug,
                accounts: try TalentRepository().accounts(talentID: talentID, on: connection)
            )
        }
        let blobs = try LocalBlobStore(root: try TestEnvironment.temporaryDirectory("operator-blobs"))
        let other = try await Self.tenant(w.pool, blobs, fixture: second)
        let headers = try await Self.portalHeaders(w, try await w.talentToken(w.a))
        let before = try await Self.snapshot(w.pool, other)
        try await w.app.test(.router) { client in
            try await client.execute(uri: "/me/media/\(other.attachment)", method: .get, headers: headers) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/me/variants/\(other.failed)/reel", method: .get, headers: headers) { #expect($0.status == .notFound) }
            for (uri, body) in Self.talentActions(on: other) {
                let (status, message) = try await Self.portalPost(client, uri, headers, body)
                #expect(status == .notFound, "\(uri): \(status) \(message)")
            }
        }
        #expect(try await Self.snapshot(w.pool, other) == before, "the other talent's variants did not move")
    }

    static func talentActions(on tenant: Tenant) -> [(String, String)] {
        let variant = tenant.awaiting[0].uuidString.lowercased()
        return [
            ("/me/variants/\(variant)/approve", "{}"),
            ("/me/variants/\(variant)/reject", #"{"reason":"not mine"}"#),
            ("/me/variants/\(variant)/caption", #"{"caption":"hijacked"}"#),
            ("/me/variants/\(variant)/reschedule", #"{"scheduled_for":"2030-01-01T10:00:00Z"}"#),
            ("/me/requests/\(tenant.request.uuidString.lowercased())/approve-all", "{}"),
        ]
    }

    static func portalHeaders(_ w: World, _ token: String) async throws -> HTTPFields {
        [.authorization: "Bearer \(token)", .init("X-CSRF-Token")!: w.tokens.csrfToken(for: try await w.tokens.verify(token))]
    }

    static func portalPost(_ client: some TestClientProtocol, _ uri: String, _ headers: HTTPFields, _ json: String) async throws -> (HTTPResponse.Status, String) {
        var headers = headers
        headers[.contentType] = "application/json"
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json)) { ($0.status, String(buffer: $0.body)) }
    }

    // MARK: Portal writes

    @Test func aPortalSubmissionIsWrittenUnderRowLevelSecurity() async throws {
        let pool = try await TestDatabase.shared.pool()
        let blobs = try LocalBlobStore(root: try TestEnvironment.temporaryDirectory("operator-blobs"))
        let a = try await TenantFixture.make(on: pool)
        let b = try await TenantFixture.make(on: pool)
        let intake = PostRequestIntake(pool: pool, blobs: blobs, queue: JobQueue(pool: pool), logger: TestEnvironment.logger)
        let submission = PostRequestIntake.Submission(talent: .id(a.talentID), source: .browser, prompt: "Scoped", platforms: nil, files: [])
        // In tenant B's scope, tenant A's talent does not exist.
        await #expect(throws: IntakeError.self) { _ = try await intake.submit(submission, scope: .tenant(b.tenantID)) }
        let receipt = try await intake.submit(submission, scope: .tenant(a.tenantID))
        let row = try #require(
            try await pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT r.tenant_id, r.source, (SELECT count(*)::int FROM jobs j WHERE j.tenant_id = r.tenant_id
                        AND lower(j.payload_json->>'post_request_id') = r.id::text) AS jobs,
                        (SELECT count(*)::int FROM events e WHERE e.post_request_id = r.id) AS events
                    FROM post_requests r WHERE r.id = $1
                    """,
                    [receipt.requestID]
                ).first
            }
        )
        #expect(try row.decode("tenant_id", as: UUID.self) == a.tenantID)
        #expect(try row.decode("source", as: String.self) == "browser")
        #expect(try row.decode("jobs", as: Int.self) == 1 && (try row.decode("events", as: Int.self)) == 1, "the job and event are written too")
        // The scoped pool itself refuses to widen.
        await #expect(throws: PostgresError.self) {
            try await pool.scoped(.tenant(a.tenantID)).withTenantTransaction(tenantID: b.tenantID) { _ in }
        }
        let seen: Int = try await pool.scoped(.tenant(a.tenantID)).scoped(.platform).withConnection {
            try $0.query("SELECT count(*)::int AS n FROM talents").first!.decode("n")
        }
        #expect(seen == 0, "a tenant's view scoped to the platform sees nothing")
    }

    // MARK: The token command

    @Test(.enabled(if: TestEnvironment.executable != nil))
    func theTokenCommandMintsAWorkingOperatorToken() async throws {
        let w = try await world()
        let slug = "ops-" + UUID().uuidString.prefix(8).lowercased()
        let tenantA = w.a.tenantID
        _ = try await w.pool.withConnection { try $0.query("UPDATE tenants SET slug = $1 WHERE id = $2", [slug, tenantA]) }
        let environment = [
            "DATABASE_URL": try #require(TestEnvironment.databaseURL), "JWT_SECRET": Self.secret,
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LOG_LEVEL": "notice",
        ]
        func mint(_ role: String) throws -> String {
            let run = try TestProgram.run(
                try #require(TestEnvironment.executable), ["token", "--operator", "--tenant", slug, "--role", role, "--hours", "1"], environment: environment
            )
            #expect(run.status == 0, "\(run.standardError)")
            return run.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let operatorToken = try mint("operator")
        let again = try mint("operator")
        let viewerToken = try mint("viewer")
        let subjects = try await [operatorToken, again, viewerToken].asyncMap { try await w.tokens.verify($0) }
        #expect(subjects[0].userID == subjects[1].userID, "the second run finds the user the first made")
        #expect(subjects[0].userID != subjects[2].userID && subjects.allSatisfy { $0.tenantID == w.a.tenantID })
        let roles: [String] = try await w.pool.withConnection { connection in
            try connection.query(
                "SELECT role FROM tenant_users WHERE tenant_id = $1 AND supabase_user_id = ANY($2::uuid[]) ORDER BY role",
                [w.a.tenantID, subjects.map(\.userID)]
            ).rows.map { try $0.decode("role") }
        }
        #expect(roles == ["operator", "viewer"])
        let (a, b) = (w.a, w.b)
        try await w.app.test(.router) { (client) async throws -> Void in
            #expect(try await Self.get(client, "/api/runs/\(a.request)", token: operatorToken).0 == .ok)
            #expect(try await Self.get(client, "/api/runs/\(b.request)", token: operatorToken).0 == .notFound)
            #expect(try await Self.post(client, "/api/accounts/\(a.fixture.accounts[0].id)/pause", token: operatorToken).0 == .ok)
            #expect(try await Self.get(client, "/api/runs/\(a.request)", token: viewerToken).0 == .ok)
            #expect(try await Self.post(client, "/api/accounts/\(a.fixture.accounts[0].id)/resume", token: viewerToken).0 == .forbidden)
        }
    }
}

extension Array {
    /// `map` with an async transform, one element after another.
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
