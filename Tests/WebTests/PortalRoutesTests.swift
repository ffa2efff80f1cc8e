import Blobs
import Crypto
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Store
import TestSupport
import LLMRouter
import LLMRouterFake
import Testing
import Workers

@testable import Web

/// The talent portal over a real database: sessions, the streamed request form, the approval queue.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase)))
struct PortalRoutesTests {
    static let secret = "portal-test-secret-0123456789abcdef-0123"
    static let limits = UploadLimits { ($0.maxFileBytes, $0.maxRequestBytes, $0.maxFiles, $0.maxParts) = (200_000, 2_000_000, 3, 10) }

    struct Harness {
        let pool: PostgresPool
        let blobs: LocalBlobStore
        let storage: URL
        let fixture: TenantFixture
        let owner: UUID
        let tokens: SessionTokens
        let app: Application<RouterResponder<WebRequestContext>>

        func token(role: String = "authenticated", lifetime: TimeInterval = 600, user: UUID? = nil, notBefore: Date? = nil) async throws -> String {
            try await tokens.mint(userID: user ?? owner, tenantID: fixture.tenantID, role: role, lifetime: lifetime, notBefore: notBefore)
        }

        func headers(_ token: String, csrf: Bool = true) async throws -> HTTPFields {
            var fields: HTTPFields = [.authorization: "Bearer \(token)"]
            if csrf { fields[.init("X-CSRF-Token")!] = tokens.csrfToken(for: try await tokens.verify(token)) }
            return fields
        }
    }

    func harness(captions: (any CaptionModerating)? = nil) async throws -> Harness {
        let pool = try await TestDatabase.shared.pool()
        let storage = try TestEnvironment.temporaryDirectory("portal-blobs")
        let blobs = try LocalBlobStore(root: storage)
        let fixture = try await TenantFixture.make(on: pool)
        let owner = try await pool.withConnection { try fixture.owner(on: $0) }
        let router = try await buildRouter(
            pool: pool,
            configuration: .init(opsToken: "portal-test-operator-token") {
                ($0.jwtSecret, $0.uploadLimits, $0.captions) = (Self.secret, Self.limits, captions)
            },
            blobs: blobs
        )
        return Harness(
            pool: pool,
            blobs: blobs,
            storage: storage,
            fixture: fixture,
            owner: owner,
            tokens: try await SessionTokens.make(secret: Self.secret),
            app: Application(router: router)
        )
    }

    /// A hand-made token: header and payload as given, signed with `key` (HS256) or not at all.
    static func rawToken(header: String, payload: String, key: String?) -> String {
        func b64(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let input = b64(Data(header.utf8)) + "." + b64(Data(payload.utf8))
        guard let key else { return input + "." }
        let signature = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(key.utf8)))
        return input + "." + b64(Data(signature))
    }

    // MARK: Sessions

    @Test func aSignedInTalentSeesTheirPortalWithAStrictPolicy() async throws {
        let h = try await harness()
        let token = try await h.token()
        try await h.app.test(.router) { client in
            try await client.execute(uri: "/me", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'; script-src 'self'") == true)
                let page = String(buffer: response.body)
                #expect(page.contains(h.fixture.slug.isEmpty ? "" : "New post request"))
                #expect(page.contains("name=\"csrf-token\""))
                for account in h.fixture.accounts { #expect(page.contains(account.id.uuidString.lowercased())) }
            }
            // The sign-in link sets a __Host- cookie, HttpOnly, SameSite=Lax, and that cookie opens the page.
            try await client.execute(uri: "/me/sign-in?token=\(token)", method: .get) { response in
                #expect(response.status == .seeOther)
                let cookie = try #require(response.headers[.setCookie])
                #expect(
                    cookie.hasPrefix("__Host-drsocial_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax")
                        && cookie.contains("Secure") && cookie.contains("Path=/")
                )
            }
            try await client.execute(uri: "/me", method: .get, headers: [.cookie: "__Host-drsocial_session=\(token)"]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func badTokensAreRefused() async throws {
        let h = try await harness()
        let now = Int(Date().timeIntervalSince1970)
        let tenant = h.fixture.tenantID.uuidString.lowercased()
        let sub = h.owner.uuidString.lowercased()
        let claims = { (exp: Int, aud: String) in #"{"sub":"\#(sub)","tenant_id":"\#(tenant)","role":"authenticated","exp":\#(exp),"aud":"\#(aud)"}"#
        }
        let cases: [(String, String)] = [
            ("expired", try await h.token(lifetime: -60)),
            ("not yet valid", try await h.token(notBefore: Date().addingTimeInterval(3600))),
            ("wrong audience", Self.rawToken(header: #"{"alg":"HS256","typ":"JWT"}"#, payload: claims(now + 600, "service_role"), key: Self.secret)),
            ("alg none", Self.rawToken(header: #"{"alg":"none","typ":"JWT"}"#, payload: claims(now + 600, "authenticated"), key: nil)),
            (
                "HS/RS confusion",
                Self.rawToken(header: #"{"alg":"RS256","typ":"JWT"}"#, payload: claims(now + 600, "authenticated"), key: Self.secret)
            ),
            (
                "forged",
                Self.rawToken(
                    header: #"{"alg":"HS256","typ":"JWT"}"#,
                    payload: claims(now + 600, "authenticated"),
                    key: "another-secret-of-at-least-32-bytes!!"
                )
            ),
            ("garbage", "not.a.jwt"),
        ]
        try await h.app.test(.router) { client in
            for (name, token) in cases {
                try await client.execute(uri: "/me", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                    #expect(response.status == .unauthorized, "\(name)")
                    #expect(String(buffer: response.body).contains("Sign in"), "\(name)")
                }
            }
            try await client.execute(uri: "/me", method: .get) { response in #expect(response.status == .unauthorized) }
        }
    }

    // MARK: Uploads

    static func multipart(boundary: String = "XyZ", parts: [(name: String, filename: String?, data: Data)], close: Bool = true) -> ByteBuffer {
        var body = Data()
        for part in parts {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\"".utf8))
            if let filename = part.filename { body.append(Data("; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream".utf8)) }
            body.append(Data("\r\n\r\n".utf8))
            body.append(part.data)
            body.append(Data("\r\n".utf8))
        }
        if close { body.append(Data("--\(boundary)--\r\n".utf8)) }
        return ByteBuffer(bytes: body)
    }

    func requestCount(_ h: Harness) async throws -> Int {
        try await h.pool.withConnection {
            try $0.query("SELECT count(*)::int AS n FROM post_requests WHERE talent_id = $1", [h.fixture.talentID]).first!.decode("n")
        }
    }

    func blobCount(_ h: Harness) -> Int {
        (FileManager.default.enumerator(atPath: h.storage.path)?.allObjects as? [String] ?? [])
            .filter { !$0.hasPrefix(".") && !$0.contains("/.") && !$0.contains("tmp") }
            .filter { path in
                var dir: ObjCBool = false
                return FileManager.default.fileExists(atPath: h.storage.appending(path: path).path, isDirectory: &dir) && !dir.boolValue
            }
            .count
    }

    @Test func aStreamedUploadBecomesABrowserRequest() async throws {
        let h = try await harness()
        let token = try await h.token()
        var headers = try await h.headers(token)
        headers[.contentType] = "multipart/form-data; boundary=XyZ"
        let photo = try Data(contentsOf: TestEnvironment.testmedia("caption-plain.png"))
        let account = h.fixture.accounts.first { $0.platform == .instagram }!.id.uuidString.lowercased()
        let body = Self.multipart(parts: [
            ("account", nil, Data(account.utf8)), ("prompt", nil, Data("Open early on Sunday".utf8)),
            ("file", "../../etc/Caption Plain.png", photo),
        ])
        let sent = headers
        try await h.app.test(.router) { client in
            try await client.execute(uri: "/me/requests", method: .post, headers: sent, body: body) { response in
                #expect(response.status == .created, "\(String(buffer: response.body))")
            }
        }
        let row = try #require(
            try await h.pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT r.source, r.prompt_text, r.target_account_ids::text AS targets, a.filename, a.mime, a.bytes, a.storage_path
                    FROM post_requests r JOIN post_request_attachments a ON a.post_request_id = r.id WHERE r.talent_id = $1
                    """,
                    [h.fixture.talentID]
                ).first
            }
        )
        #expect(try row.decode("source", as: String.self) == "browser")
        #expect(try row.decode("prompt_text", as: String.self) == "Open early on Sunday")
        #expect(try row.decode("targets", as: String.self) == "{\(account)}")
        #expect(try row.decode("mime", as: String.self) == "image/png", "typed by magic bytes, not the part's Content-Type")
        #expect(!(try row.decode("filename", as: String.self)).contains("/"))
        #expect(try await h.blobs.read(try row.decode("storage_path")) == photo)
    }

    @Test(arguments: ["too big", "bad type", "no boundary", "truncated", "many parts", "foreign account", "no csrf", "cross-site", "empty"])
    func badUploadsAreRefusedAndLeaveNothing(kind: String) async throws {
        let h = try await harness()
        let token = try await h.token()
        var headers = try await h.headers(token, csrf: kind != "no csrf")
        headers[.contentType] = kind == "no boundary" ? "multipart/form-data" : "multipart/form-data; boundary=XyZ"
        if kind == "cross-site" { headers[.init("Sec-Fetch-Site")!] = "cross-site" }
        let photo = try Data(contentsOf: TestEnvironment.testmedia("photo.jpg"))
        let body: ByteBuffer
        let expected: HTTPResponse.Status
        switch kind {
        case "too big":
            body = Self.multipart(parts: [("file", "big.jpg", photo + Data(count: 300_000))])
            expected = .contentTooLarge
        case "bad type":
            body = Self.multipart(parts: [("file", "notes.jpg", try Data(contentsOf: TestEnvironment.testmedia("notes.txt")))])
            expected = .unsupportedMediaType
        case "no boundary":
            body = Self.multipart(parts: [("file", "photo.jpg", photo)])
            expected = .badRequest
        case "truncated":
            var cut = Self.multipart(parts: [("file", "photo.jpg", photo)], close: false)
            cut = cut.getSlice(at: 0, length: cut.readableBytes / 2)!
            body = cut
            expected = .badRequest
        case "many parts":
            body = Self.multipart(parts: (0..<10_000).map { _ in (name: "prompt", filename: String?.none, data: Data("x".utf8)) })
            expected = .badRequest
        case "foreign account":
            let other = try await TenantFixture.make(on: h.pool)
            body = Self.multipart(parts: [("account", nil, Data(other.accounts[0].id.uuidString.utf8)), ("file", "photo.jpg", photo)])
            expected = .forbidden
        case "empty":
            body = Self.multipart(parts: [("prompt", nil, Data())])
            expected = .badRequest
        default:
            body = Self.multipart(parts: [("file", "photo.jpg", photo)])
            expected = .forbidden
        }
        let sent = headers
        let payload = body
        let status = expected
        try await h.app.test(.router) { client in
            try await client.execute(uri: "/me/requests", method: .post, headers: sent, body: payload) { response in
                #expect(response.status == status, "\(kind): \(String(buffer: response.body))")
                #expect(String(buffer: response.body).contains("\"error\""), "\(kind): a readable message")
            }
        }
        #expect(try await requestCount(h) == 0, "\(kind): no row")
        #expect(blobCount(h) == 0, "\(kind): no blob left behind")
    }

    @Test func aTricklingUploadIsCutOff() async throws {
        let h = try await harness()
        // Generous idle and total limits: on a loaded machine the trickling task itself may be held up for
        // seconds, and only the rate rule is under test here.
        let limits = UploadLimits { ($0.idleSeconds, $0.totalSeconds, $0.minimumBytesPerSecond, $0.graceSeconds) = (30, 60, 1000, 1) }
        let stream = AsyncStream<ByteBuffer> { continuation in
            Task {
                let opening = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.jpg\"\r\n\r\n\u{FF}\u{D8}"
                continuation.yield(ByteBuffer(string: opening))
                for _ in 0..<60 {
                    try? await Task.sleep(for: .milliseconds(300))
                    continuation.yield(ByteBuffer(string: "a"))
                }
                continuation.finish()
            }
        }
        let request = Request(
            head: .init(
                method: .post,
                scheme: "http",
                authority: "127.0.0.1",
                path: "/me/requests",
                headerFields: [.contentType: "multipart/form-data; boundary=XyZ"]
            ),
            body: .init(asyncSequence: stream)
        )
        // Without the watchdog the stream would end after 18 s without its closing boundary ("truncated").
        await #expect(throws: UploadError.slow) { _ = try await UploadReceiver(limits: limits, blobs: h.blobs).receive(request) }
        #expect(blobCount(h) == 0)
    }

    // MARK: The approval queue

    /// Two variants of one request, awaiting approval, made the way `enqueue` makes them.
    func variants(_ h: Harness, caption: String) async throws -> (request: UUID, ids: [UUID]) {
        try await h.pool.withTransaction { connection in
            let request: UUID = try connection.query(
                """
                INSERT INTO post_requests (tenant_id, talent_id, source, prompt_text, target_account_ids, status)
                VALUES ($1, $2, 'browser', 'Beach day', $3, 'complete') RETURNING id
                """,
                [h.fixture.tenantID, h.fixture.talentID, h.fixture.accounts.prefix(2).map(\.id)]
            ).first!.decode("id")
            var ids: [UUID] = []
            for account in h.fixture.accounts.prefix(2) {
                let content: UUID = try connection.query(
                    """
                    INSERT INTO content (tenant_id, talent_id, hash, type, caption, hashtags, generated_by, moderated)
                    VALUES ($1, $2, $3, 'text', $4, '{#beach}', 'offline', true) RETURNING id
                    """,
                    [h.fixture.tenantID, h.fixture.talentID, UUID().uuidString, caption]
                ).first!.decode("id")
                ids.append(
                    try connection.query(
                        """
                        INSERT INTO content_queue (tenant_id, talent_id, account_id, content_id, origin, post_request_id, state)
                        VALUES ($1, $2, $3, $4, 'request_browser', $5, 'awaiting_owner_approval') RETURNING id
                        """,
                        [h.fixture.tenantID, h.fixture.talentID, account.id, content, request]
                    ).first!.decode("id")
                )
            }
            return (request, ids)
        }
    }

    func post(
        _ client: some TestClientProtocol,
        _ uri: String,
        _ headers: HTTPFields,
        _ json: String = "{}"
    ) async throws -> (HTTPResponse.Status, String) {
        var headers = headers
        headers[.contentType] = "application/json"
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json)) {
            ($0.status, String(buffer: $0.body))
        }
    }

    @Test func approveRejectAndIllegalMoves() async throws {
        let h = try await harness()
        let (_, ids) = try await variants(h, caption: "Sun <script>alert(1)</script> and sea")
        let headers = try await h.headers(try await h.token())
        try await h.app.test(.router) { client in
            // Shown back escaped.
            try await client.execute(uri: "/me/fragments/queue", method: .get, headers: headers) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>alert"))
                #expect(html.contains("Approve all 2 variants"))
            }
            #expect(try await post(client, "/me/variants/\(ids[0])/approve", headers).0 == .ok)
            let (rejectNoReason, _) = try await post(client, "/me/variants/\(ids[1])/reject", headers, #"{"reason":"  "}"#)
            #expect(rejectNoReason == .unprocessableContent)
            #expect(try await post(client, "/me/variants/\(ids[1])/caption", headers, #"{"caption":"Sun and sea, edited"}"#).0 == .ok)
            #expect(try await post(client, "/me/variants/\(ids[1])/reject", headers, #"{"reason":"Too salesy"}"#).0 == .ok)
            let (again, message) = try await post(client, "/me/variants/\(ids[1])/approve", headers)
            #expect(again == .conflict && message.contains("rejected cannot become approved"), "\(message)")
            // Without the CSRF token nothing moves.
            var bare = headers
            bare[.init("X-CSRF-Token")!] = nil
            #expect(try await post(client, "/me/variants/\(ids[1])/approve", bare).0 == .forbidden)
        }
        let (states, publishJobs, notes, caption) = try await h.pool.withConnection { connection in
            let states: [String] = try connection.query(
                "SELECT state FROM content_queue WHERE id = ANY($1::uuid[]) ORDER BY array_position($1::uuid[], id)",
                [ids]
            ).rows.map { try $0.decode("state") }
            let jobs: Int = try connection.query(
                "SELECT count(*)::int AS n FROM jobs WHERE kind = 'publish' AND payload_json->>'content_queue_id' = $1",
                [ids[0].uuidString.lowercased()]
            ).first!.decode("n")
            let notes: String =
                try connection.query("SELECT style_guide_md FROM talent_profile WHERE talent_id = $1", [h.fixture.talentID]).first?.decode(
                    "style_guide_md"
                ) ?? ""
            let caption: String = try connection.query(
                "SELECT c.caption FROM content c JOIN content_queue q ON q.content_id = c.id WHERE q.id = $1",
                [ids[1]]
            ).first!.decode("caption")
            return (states, jobs, notes, caption)
        }
        #expect(states == ["approved", "rejected"])
        #expect(publishJobs == 1, "approving enqueues one publish job")
        #expect(notes.contains("Too salesy"), "the reason joins the style notes")
        let regenerations: Int = try await h.pool.withConnection { connection in
            try connection.query(
                "SELECT count(*)::int AS n FROM jobs WHERE kind = $1 AND payload_json->>'content_queue_id' = $2",
                [ApprovalRepository.regenerateJobKind, ids[1].uuidString.lowercased()]
            ).first!.decode("n")
        }
        #expect(regenerations == 1, "the rejection queues a replacement draft")
        #expect(caption == "Sun and sea, edited")
    }

    @Test func operatorsApproveOnlyWithTheTalentsOverride() async throws {
        let h = try await harness()
        let (request, _) = try await variants(h, caption: "Hello")
        // The operator is one of the tenant's people: who approved is a tenant user.
        let operatorID = UUID()
        try await h.pool.withConnection {
            try $0.query("INSERT INTO tenant_users (tenant_id, supabase_user_id, role) VALUES ($1, $2, 'operator')", [h.fixture.tenantID, operatorID])
        }
        let headers = try await h.headers(try await h.token(role: "operator", user: operatorID))
        try await h.app.test(.router) { client in
            let uri = "/me/requests/\(request)/approve-all?talent=\(h.fixture.slug)"
            #expect(try await post(client, uri, headers).0 == .forbidden)
            try await h.pool.withConnection { try $0.query("UPDATE talents SET operator_override = true WHERE id = $1", [h.fixture.talentID]) }
            let (status, body) = try await post(client, uri, headers)
            #expect(status == .ok && body.contains("\"2\""), "\(body)")
        }
    }

    @Test func anEditedCaptionGoesThroughBothModerationPassesBeforeItIsSaved() async throws {
        let fake = try await FakeLLMRouter.start(apiKey: "portal-key")
        defer { Task { await fake.stop() } }
        let pool = try await TestDatabase.shared.pool()
        let client = LLMRouterClient(configuration: LLMRouterConfiguration(baseURL: fake.baseURL, apiKey: "portal-key", timeoutSeconds: 600))
        let h = try await harness(captions: CaptionModerator(pool: pool, client: client))
        let (_, ids) = try await variants(h, caption: "Beach day")
        let headers = try await h.headers(try await h.token())
        // The model blocks a caption that promises a cure and flags one that names a client.
        fake.setDefault { request in
            let body = String(decoding: request.body, as: UTF8.self)
            let account = (try? JSONSerialization.jsonObject(with: request.body) as? [String: Any])
                .flatMap { ($0["tools"] as? [[String: Any]])?.first?["input_schema"] as? [String: Any] }
                .flatMap { ((((($0["properties"] as? [String: Any])?["verdicts"] as? [String: Any])?["items"] as? [String: Any])?["properties"] as? [String: Any])?["account_id"] as? [String: Any])?["enum"] as? [String] }?
                .first ?? ""
            let verdict = body.contains("cures") ? "block" : body.contains("Acme") ? "flag" : "allow"
            let reason = verdict == "allow" ? "" : "judged " + verdict
            let input = #"{"verdicts":[{"account_id":"\#(account)","verdict":"\#(verdict)","reason":"\#(reason)"}]}"#
            return .message(.tool(name: "submit_verdicts", inputJSON: input))
        }
        @Sendable func caption() async throws -> (String, String?) {
            try await h.pool.withConnection { connection in
                let row = try connection.query(
                    "SELECT c.caption, c.moderation_reason FROM content c JOIN content_queue q ON q.content_id = c.id WHERE q.id = $1",
                    [ids[0]]
                ).first!
                return (try row.decode("caption"), try row.decodeIfPresent("moderation_reason"))
            }
        }
        try await h.app.test(.router) { client in
            let (literal, literalMessage) = try await post(client, "/me/variants/\(ids[0])/caption", headers, #"{"caption":"My fast fashion haul"}"#)
            #expect(literal == .unprocessableContent && literalMessage.contains("never-say list"), "\(literalMessage)")
            let (blocked, blockedMessage) = try await post(client, "/me/variants/\(ids[0])/caption", headers, #"{"caption":"This tea cures colds"}"#)
            #expect(blocked == .unprocessableContent && blockedMessage.contains("judged block"), "\(blockedMessage)")
            #expect(try await caption().0 == "Beach day", "a blocked caption is not saved")
            #expect(try await post(client, "/me/variants/\(ids[0])/caption", headers, #"{"caption":"Shot for Acme"}"#).0 == .ok)
            #expect(try await caption() == ("Shot for Acme", "flagged: judged flag"))
            try await client.execute(uri: "/me/fragments/queue", method: .get, headers: headers) { response in
                #expect(String(buffer: response.body).contains("Moderation asks you to look twice: judged flag"))
            }
            #expect(try await post(client, "/me/variants/\(ids[0])/caption", headers, #"{"caption":"Beach day again"}"#).0 == .ok)
            #expect(try await caption() == ("Beach day again", nil), "a caption that passes clears the old flag")
        }
        #expect(fake.requests.filter { $0.method == "POST" }.count == 3, "the never-say list answered the first edit without a call")
    }
}
