import Blobs
import Domain
import Foundation
import HTTPTypes
public import Hummingbird
import Intake
import Logging
import Store

/// The talent portal, `/me`: the request form with streaming uploads, the recent requests, and the approval
/// queue. Sessions are HS256 JWTs (cookie `__Host-drsocial_session` or a bearer header); every state change
/// needs the session's CSRF token and a same-origin request.
struct PortalController<Context: RequestContext>: Sendable {
    static var cookieName: String { "__Host-drsocial_session" }

    let pool: PostgresPool
    let blobs: any BlobStore
    let templates: Templates
    let tokens: SessionTokens
    let limits: UploadLimits
    let queue: JobQueue
    /// Files the requests the form sends (the daemon's one intake, with its attachment limit).
    let intake: PostRequestIntake
    /// Moderates an edited caption before it is saved.
    let captions: (any CaptionModerating)?
    /// Uploads per talent; nil lets them through.
    let uploadRate: RateLimiter?
    /// Where refused uploads are logged.
    let logger: Logger

    func addRoutes(to router: Router<Context>) {
        router.get("/me/sign-in") { request, _ in try await signIn(request) }
        let me = router.group("me")
        me.get("/") { request, _ in try await page(request) }
        me.get("fragments/requests") { request, _ in try await fragment(request, "me-requests") }
        me.get("fragments/queue") { request, _ in try await fragment(request, "me-queue") }
        me.post("sign-out") { request, _ in try await signOut(request) }
        me.post("requests") { request, _ in try await createRequest(request) }
        me.post("variants/:id/:action") { request, context in
            try await act(request, variant: try context.parameters.require("id", as: UUID.self), action: try context.parameters.require("action"))
        }
        me.post("requests/:id/approve-all") { request, context in
            try await approveAll(request, requestID: try context.parameters.require("id", as: UUID.self))
        }
        me.get("media/:id") { request, context in try await media(request, attachmentID: try context.parameters.require("id", as: UUID.self)) }
        me.get("variants/:id/reel") { request, context in try await reel(request, queueID: try context.parameters.require("id", as: UUID.self)) }
    }

    // MARK: Sessions

    /// The development sign-in link (`drsocial-intake token` prints it): verifies the token, sets the cookie.
    private func signIn(_ request: Request) async throws -> Response {
        guard let token = request.uri.queryParameters["token"].map(String.init) else { throw HTTPError(.badRequest, message: "no token") }
        do {
            _ = try await tokens.verify(token)
        } catch {
            return try signInPage(error: "\(error)", status: .unauthorized)
        }
        return Response(status: .seeOther, headers: [.location: "/me", .setCookie: Self.cookie(token, secure: Self.isSecure(request))])
    }

    private func signOut(_ request: Request) async throws -> Response {
        _ = try await guarded(request)
        return Response(
            status: .seeOther,
            headers: [
                .location: "/me", .setCookie: "\(Self.cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure",
            ]
        )
    }

    /// `__Host-` cookies must be Secure and Path=/; browsers accept Secure cookies from http://localhost and
    /// 127.0.0.1 (a potentially trustworthy origin), which is where the development daemon listens.
    static func cookie(_ token: String, secure: Bool) -> String {
        "\(cookieName)=\(token); Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=43200"
    }

    static func isSecure(_ request: Request) -> Bool { request.head.scheme == "https" || request.headers[.init("X-Forwarded-Proto")!] == "https" }

    /// The session of a request: cookie first, then a bearer header.
    private func identity(_ request: Request) async throws -> PortalIdentity {
        var token: String?
        if let cookie = request.cookies[Self.cookieName]?.value, !cookie.isEmpty { token = cookie }
        if token == nil, let header = request.headers[.authorization], header.hasPrefix("Bearer ") { token = String(header.dropFirst(7)) }
        guard let token else { throw PortalError.unauthorized(SessionError.missing.description) }
        do {
            return try await tokens.verify(token)
        } catch {
            throw PortalError.unauthorized("\(error)")
        }
    }

    /// A state-changing request: a valid session, same-origin, with the session's CSRF token.
    private func guarded(_ request: Request) async throws -> PortalIdentity {
        if let site = request.headers[.init("Sec-Fetch-Site")!], site != "same-origin", site != "none" {
            throw PortalError.forbidden("cross-site requests are refused")
        }
        if let origin = request.headers[.origin] {
            let host = request.head.authority ?? ""
            guard let url = URL(string: origin), let originHost = url.host,
                host == originHost + (url.port.map { ":\($0)" } ?? "") || host == originHost
            else { throw PortalError.forbidden("requests from \(origin) are refused") }
        }
        let identity = try await identity(request)
        guard tokens.checkCSRF(request.headers[.init("X-CSRF-Token")!], for: identity) else {
            throw PortalError.forbidden("missing or wrong CSRF token: reload the page")
        }
        return identity
    }

    /// The talent a session acts for: the one the user owns, or (operators) the one named by `?talent=`.
    private func talent(for identity: PortalIdentity, request: Request, acting: Bool) async throws -> PortalRepository.Talent {
        let slug = request.uri.queryParameters["talent"].map(String.init)
        let talent = try await pool.withTenantTransaction(tenantID: identity.tenantID) { connection in
            try PortalRepository().talent(
                identity: .init(userID: identity.userID, isOperator: identity.role == .operator),
                slug: slug,
                on: connection
            )
        }
        guard let talent else { throw PortalError.forbidden("this account manages no talent here") }
        if acting, identity.role == .operator, !talent.operatorOverride {
            throw PortalError.forbidden("\(talent.displayName) has not allowed operators to approve for them")
        }
        return talent
    }

    // MARK: Pages

    private func page(_ request: Request) async throws -> Response {
        let identity: PortalIdentity
        do {
            identity = try await self.identity(request)
        } catch let error as PortalError {
            return try signInPage(error: error.description, status: .unauthorized)
        }
        let talent = try await talent(for: identity, request: request, acting: false)
        let view = PortalViews.page(
            talent: talent,
            snapshot: try await snapshot(talent, identity),
            csrf: tokens.csrfToken(for: identity),
            limits: limits
        )
        return HTMLResponse(html: try templates.render("me", view), noStore: true).plainResponse
    }

    private func fragment(_ request: Request, _ template: String) async throws -> Response {
        let identity = try await self.identity(request)
        let talent = try await talent(for: identity, request: request, acting: false)
        let view = PortalViews.lists(try await snapshot(talent, identity))
        return HTMLResponse(html: try templates.render(template, view), noStore: true).plainResponse
    }

    private func snapshot(_ talent: PortalRepository.Talent, _ identity: PortalIdentity) async throws -> PortalRepository.Snapshot {
        try await pool.withTenantTransaction(tenantID: identity.tenantID) { try PortalRepository().snapshot(talent: talent, on: $0) }
    }

    private func signInPage(error: String, status: HTTPResponse.Status) throws -> Response {
        HTMLResponse(html: try templates.render("me-sign-in", ["error": error]), status: status).plainResponse
    }
}

/// A refusal with its status and a message for people.
struct PortalError: Error, CustomStringConvertible, HTTPResponseError {
    let status: HTTPResponse.Status
    let description: String

    static func unauthorized(_ message: String) -> PortalError { .init(status: .unauthorized, description: message) }
    static func forbidden(_ message: String) -> PortalError { .init(status: .forbidden, description: message) }
    static func conflict(_ message: String) -> PortalError { .init(status: .conflict, description: message) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: .init(string: #"{"error":\#(Self.quoted(description))}"#))
        )
    }

    static func quoted(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}

// MARK: Requests and the approval queue

extension PortalController {
    /// `POST /me/requests`: the form, streamed (multipart); 201 with the new request's id.
    func createRequest(_ request: Request) async throws -> Response {
        let identity = try await guarded(request)
        let talent = try await talent(for: identity, request: request, acting: false)
        // Counted per talent, before the body is read: a refusal costs no disk and no object store.
        try uploadRate?.check("talent:\(talent.id.uuidString.lowercased())", limit: "uploads", path: request.uri.path, json: true, logger: logger)
        let upload = try await UploadReceiver(limits: limits, blobs: blobs).receive(request)
        // Checked before any blob is committed, so a refusal leaves nothing behind.
        let accountIDs = (upload.fields["account"] ?? []).compactMap { UUID(uuidString: $0) }
        let prompt = upload.fields["prompt"]?.first
        // Like every other portal write: the web role, under row-level security for the session's tenant.
        let scope = DataScope.tenant(identity.tenantID)
        let resolved: PostRequestIntake.ResolvedTalent
        do {
            guard accountIDs.count == (upload.fields["account"] ?? []).count else {
                throw PortalError(status: .badRequest, description: "an account in the form is not an account id")
            }
            guard !(prompt ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || !upload.files.isEmpty else {
                throw PortalError(status: .badRequest, description: "write a prompt or add a file")
            }
            // The talent and its accounts, read once: checked here, then handed to the intake as they are.
            resolved = try await intake.resolve(.id(talent.id), accountIDs: accountIDs, scope: scope)
        } catch let error as IntakeError {
            upload.abort()
            throw PortalError(status: error.isForeignAccount ? .forbidden : .badRequest, description: error.description)
        } catch {
            upload.abort()
            throw error
        }
        let namespace = BlobNamespace.talent(tenantID: talent.tenantID, talentID: talent.id)
        var files: [PostRequestIntake.LocalFile] = []
        do {
            for file in upload.files {
                let writer = file.writer
                files.append(.init(stored: try await writer.commit(in: namespace), mime: file.mime, filename: file.filename))
            }
        } catch {
            upload.abort()
            throw error
        }
        let receipt: PostRequestIntake.Receipt
        do {
            receipt = try await intake.submit(
                .init(
                    talent: .resolved(resolved),
                    source: .browser,
                    prompt: prompt,
                    platforms: nil,
                    files: files,
                    accountIDs: accountIDs.isEmpty ? nil : accountIDs
                ),
                scope: scope
            )
        } catch let error as IntakeError {
            throw PortalError(status: error.isForeignAccount ? .forbidden : .badRequest, description: error.description)
        }
        return Self.json(["request_id": receipt.requestID.uuidString.lowercased()], status: .created)
    }

    /// `POST /me/variants/:id/(approve|reject|caption|reschedule)`.
    func act(_ request: Request, variant: UUID, action: String) async throws -> Response {
        let identity = try await guarded(request)
        let talent = try await talent(for: identity, request: request, acting: true)
        let form = try await Self.smallForm(request)
        let move: ApprovalRepository.Action
        switch action {
        case "approve": move = .approve
        case "reject": move = .reject(reason: form["reason"] ?? "")
        case "caption":
            let caption = form["caption"] ?? ""
            var flag: String?
            switch try await captions?.moderateEditedCaption(caption, variantID: variant, talentID: talent.id) ?? .allowed {
            case .allowed: break
            case .flagged(let reason): flag = reason
            case .blocked(let reason):
                throw PortalError(status: .unprocessableContent, description: "the caption was not saved: \(reason)")
            }
            move = .editCaption(caption, flag: flag)
        case "reschedule":
            let raw = form["scheduled_for"] ?? ""
            if raw.isEmpty {
                move = .reschedule(nil)
            } else {
                guard let date = ISO8601DateFormatter().date(from: raw) else {
                    throw PortalError(status: .badRequest, description: "scheduled_for must be an ISO 8601 time")
                }
                move = .reschedule(date)
            }
        default: throw HTTPError(.notFound)
        }
        do {
            let state = try await pool.withTenantTransaction(tenantID: identity.tenantID) { [queue] connection in
                try ApprovalRepository().apply(
                    move,
                    variantID: variant,
                    talentID: talent.id,
                    actorUserID: identity.userID,
                    queue: queue,
                    on: connection
                )
            }
            return Self.json(["state": state.rawValue])
        } catch let error as ApprovalRepository.MoveError {
            throw Self.refusal(error)
        }
    }

    /// `POST /me/requests/:id/approve-all`: every variant of one post idea still awaiting approval.
    func approveAll(_ request: Request, requestID: UUID) async throws -> Response {
        let identity = try await guarded(request)
        let talent = try await talent(for: identity, request: request, acting: true)
        let approved = try await pool.withTenantTransaction(tenantID: identity.tenantID) { [queue] connection -> Int? in
            guard try PortalRepository().hasRequest(id: requestID, talentID: talent.id, on: connection) else { return nil }
            return try ApprovalRepository().approveAll(requestID: requestID, talentID: talent.id, actorUserID: identity.userID, queue: queue, on: connection)
        }
        // Another talent's request (or another tenant's) is not found, as it is on every other route.
        guard let approved else { throw PortalError(status: .notFound, description: "no post request \(requestID.uuidString.lowercased())") }
        return Self.json(["approved": "\(approved)"])
    }

    /// `GET /me/media/:id`: one of the talent's attachments, for previews, streamed from the blob store.
    func media(_ request: Request, attachmentID: UUID) async throws -> Response {
        try await streamTalentFile(request) { talentID, connection in
            try PortalRepository().attachment(id: attachmentID, talentID: talentID, on: connection)
        }
    }

    /// `GET /me/variants/:id/reel`: the composed reel of one of the talent's variants, the exact file that publishes.
    func reel(_ request: Request, queueID: UUID) async throws -> Response {
        try await streamTalentFile(request) { talentID, connection in
            try ApprovalRepository().composedAsset(queueID: queueID, talentID: talentID, on: connection).map { (path: $0.path, mime: $0.mime) }
        }
    }

    /// Streams one of the signed-in talent's files from the blob store: `find` looks it up for the talent's id in a
    /// tenant transaction and gives its blob path and type; 404 when it finds none.
    private func streamTalentFile(
        _ request: Request,
        _ find: @escaping @Sendable (_ talentID: UUID, PostgresConnection) throws -> (path: String, mime: String)?
    ) async throws -> Response {
        let identity = try await identity(request)
        let talentID = try await talent(for: identity, request: request, acting: false).id
        guard let found = try await pool.withTenantTransaction(tenantID: identity.tenantID, { try find(talentID, $0) }) else {
            throw HTTPError(.notFound)
        }
        return try FileResponse.stream(file: try await blobs.localFile(for: found.path), mime: found.mime)
    }

    static func refusal(_ error: ApprovalRepository.MoveError) -> PortalError {
        switch error {
        case .notFound: PortalError(status: .notFound, description: error.description)
        case .illegal, .notEditable: .conflict(error.description)
        case .reasonRequired: PortalError(status: .unprocessableContent, description: error.description)
        }
    }

    /// A small urlencoded or JSON body.
    static func smallForm(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: 64 << 10)
        let data = Data(buffer.readableBytesView)
        if request.headers[.contentType]?.hasPrefix("application/json") == true {
            return (try? JSONDecoder().decode([String: String].self, from: data)) ?? [:]
        }
        var form: [String: String] = [:]
        for pair in String(decoding: data, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if parts.count == 2 { form[parts[0]] = parts[1] }
        }
        return form
    }

    static func json(_ object: [String: String], status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONEncoder().encode(object)) ?? Data("{}".utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}

extension UploadError: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: .init(string: #"{"error":\#(PortalError.quoted(description))}"#))
        )
    }
}
