import Blobs
public import Foundation
import Hummingbird
import Logging
import Store

/// Operator pages and their JSON twins: recent runs, and one run's stages, attachments and variants.
///
/// Every query runs in the signed-in operator's scope (`OperatorAccess.scope`): the platform key sees every
/// tenant; a tenant's operator sees their tenant's rows only, as the web role under row-level security, so
/// another tenant's request, attachment, variant or job is simply not found (404).
struct OpsController<Context: OperatorRequestContext>: Sendable {
    let shared: OperatorPages
    /// Queues stage reruns; nil leaves the rerun routes and buttons out.
    let reruns: (any StageRerunning)?
    /// Revives dead jobs with their handlers; nil revives them with the queue alone.
    let jobs: (any JobReviving)?

    func addRoutes(to router: Router<Context>) {
        router.get("/ops/login") { _, _ in try loginPage(error: nil) }
        router.post("/ops/login") { request, context in try await login(request, context: context) }
        router.post("/ops/logout") { _, _ in logout() }
        let pages = shared.group("ops", on: router)
        pages.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/ops/runs"]) }
        pages.get("runs") { _, context in try await runsPage(try shared.database(context), access: try context.requireOperator()) }
        pages.get("runs/:id") { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            return try await runPage(try shared.database(context), id: id, access: try context.requireOperator())
        }
        pages.get("attachments/:id/keyframes/:index") { request, context in
            try await keyframe(
                try shared.database(context),
                attachmentID: try context.parameters.require("id", as: UUID.self),
                index: try context.parameters.require("index", as: Int.self),
                thumbnail: request.uri.queryParameters["size"] == "thumb"
            )
        }
        pages.get("variants/:id/reel") { _, context in
            try await reel(try shared.database(context), queueID: try context.parameters.require("id", as: UUID.self))
        }
        // The ops cookie is SameSite=Strict, so another site's form cannot post here with it.
        pages.post("jobs/:id/revive") { _, context -> Response in
            let revived = try await revive(jobID: try context.parameters.require("id", as: Int64.self), access: try context.requireOperator())
            let back = revived.reopenedRequestID.map { "/ops/runs/\($0.uuidString.lowercased())" } ?? "/ops/runs"
            return Response(status: .seeOther, headers: [.location: back])
        }
        pages.post("runs/:id/rerun") { request, context -> Response in
            let id = try context.parameters.require("id", as: UUID.self)
            let body = try await request.body.collect(upTo: 4 * 1024)
            guard let form = try? URLEncodedFormDecoder().decode(RerunForm.self, from: String(buffer: body)) else {
                throw HTTPError(.badRequest, message: "name the stage to run again (field 'stage')")
            }
            _ = try await rerun(requestID: id, stage: form.stage, access: try context.requireOperator())
            return Response(status: .seeOther, headers: [.location: "/ops/runs/\(id.uuidString.lowercased())"])
        }
        let api = shared.group("api", on: router)
        api.post("runs/:id/rerun") { request, context -> Response in
            let id = try context.parameters.require("id", as: UUID.self)
            let body = try await request.body.collect(upTo: 4 * 1024)
            guard let form = try? JSONDecoder().decode(RerunForm.self, from: Data(String(buffer: body).utf8)) else {
                throw HTTPError(.badRequest, message: "send {\"stage\": NAME}")
            }
            var response = try JSONResponse.make(try await rerun(requestID: id, stage: form.stage, access: try context.requireOperator()))
            response.status = .accepted
            return response
        }
        api.get("runs") { _, context in try await runsJSON(try shared.database(context)) }
        api.get("runs/:id") { _, context in try await runJSON(try shared.database(context), id: try context.parameters.require("id", as: UUID.self)) }
        api.get("jobs/troubled") { _, context in try await troubledJobsJSON(try shared.database(context)) }
        api.post("jobs/:id/revive") { _, context in
            try JSONResponse.make(try await revive(jobID: try context.parameters.require("id", as: Int64.self), access: try context.requireOperator()))
        }
    }

    // MARK: Login

    private func loginPage(error: String?) throws -> HTMLResponse {
        HTMLResponse(html: try shared.templates.render("login", ["error": error as Any]), status: error == nil ? .ok : .unauthorized)
    }

    /// Signs in with `OPS_TOKEN` or a tenant operator's session token; the cookie then carries that token.
    private func login(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 * 1024)
        let form = try? URLEncodedFormDecoder().decode(LoginForm.self, from: String(buffer: body))
        guard let form, let access = try await shared.authenticator.authenticate(token: form.token) else {
            return try loginPage(error: "That token is not right.").response(from: request, context: context)
        }
        if access.isPlatformKey { OpsAuthMiddleware<Context>.logPlatformKey(request, context: context, source: OperatorAuthenticator.Source.form.rawValue) }
        var response = Response(status: .seeOther, headers: [.location: "/ops/runs"])
        response.setCookie(
            Cookie(
                name: OperatorAuthenticator.cookieName,
                value: form.token,
                maxAge: 12 * 3600,
                path: "/",
                secure: false,
                httpOnly: true,
                sameSite: .strict
            )
        )
        return response
    }

    private func logout() -> Response {
        var response = Response(status: .seeOther, headers: [.location: "/ops/login"])
        response.setCookie(Cookie(name: OperatorAuthenticator.cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    // MARK: Pages

    /// A scene's keyframe (or its thumbnail) as the keyframes stage stored it.
    private func keyframe(_ pool: PostgresPool, attachmentID: UUID, index: Int, thumbnail: Bool) async throws -> Response {
        let path = try await pool.withConnection {
            try OpsQueries().keyframeBlob(attachmentID: attachmentID, index: index, thumbnail: thumbnail, on: $0)
        }
        return try await shared.picture(path, mime: "image/jpeg", missing: "no keyframe \(index) for attachment \(attachmentID)")
    }

    /// A variant's composed reel (or card picture), the file that will publish.
    private func reel(_ pool: PostgresPool, queueID: UUID) async throws -> Response {
        let asset = try await pool.withConnection { try OpsQueries().composedAsset(queueID: queueID, on: $0) }
        guard let blobs = shared.blobs, let asset else { throw HTTPError(.notFound, message: "no reel for variant \(queueID)") }
        return try FileResponse.stream(file: try await blobs.localFile(for: asset.path), mime: asset.mime)
    }

    private func runsPage(_ pool: PostgresPool, access: OperatorAccess) async throws -> HTMLResponse {
        let runs = try await pool.withConnection { try OpsQueries().recentRuns(limit: 100, on: $0) }
        let jobs = try await pool.withConnection { try OpsQueries().troubledJobs(limit: 20, on: $0) }
        let view: [String: Any] = [
            "runs": runs.map(RunViews.summary),
            "hasRuns": !runs.isEmpty,
            "jobs": jobs.map(RunViews.job),
            "hasJobs": !jobs.isEmpty,
            "live": runs.contains { $0.status != "complete" && $0.status != "failed" },
            "publishAlert": try await publishAlert(pool) as Any,
            "mayAct": access.mayAct,
        ]
        return try shared.page("runs", view)
    }

    /// The banner operators must not miss: paused accounts and publishes waiting for a check.
    private func publishAlert(_ pool: PostgresPool) async throws -> String? {
        let snapshot = try await pool.withConnection { try ClusterStateRepository().snapshot(on: $0) }
        var parts: [String] = []
        if snapshot.pausedAccounts > 0 { parts.append("\(snapshot.pausedAccounts) account\(snapshot.pausedAccounts == 1 ? "" : "s") paused") }
        if snapshot.publishesNeedingCheck > 0 {
            parts.append("\(snapshot.publishesNeedingCheck) publish\(snapshot.publishesNeedingCheck == 1 ? "" : "es") waiting for your check")
        }
        return parts.isEmpty ? nil : parts.joined(separator: " · ") + ": see Publishing"
    }

    private func runPage(_ pool: PostgresPool, id: UUID, access: OperatorAccess) async throws -> HTMLResponse {
        guard let detail = try await pool.withConnection({ try OpsQueries().run(requestID: id, on: $0) }) else {
            throw HTTPError(.notFound, message: "no post request \(id)")
        }
        var view = RunViews.detail(detail, rerunnable: access.mayAct ? reruns?.stageNames ?? [] : [])
        view["mayAct"] = access.mayAct
        if let message = try await pool.withConnection({ try IntakeMessageRepository().message(postRequestID: id, on: $0) }) {
            view["email"] = MailViews.message(message)
        }
        return try shared.page("run", view)
    }

    // MARK: JSON

    private func runsJSON(_ pool: PostgresPool) async throws -> Response {
        try JSONResponse.make(try await pool.withConnection { try OpsQueries().recentRuns(limit: 100, on: $0) })
    }

    private func runJSON(_ pool: PostgresPool, id: UUID) async throws -> Response {
        guard let detail = try await pool.withConnection({ try OpsQueries().run(requestID: id, on: $0) }) else {
            throw HTTPError(.notFound, message: "no post request \(id)")
        }
        return try JSONResponse.make(detail)
    }

    private func troubledJobsJSON(_ pool: PostgresPool) async throws -> Response {
        try JSONResponse.make(try await pool.withConnection { try OpsQueries().troubledJobs(limit: 100, on: $0) })
    }

    // MARK: Actions

    /// Queues a rerun from `stage`: 400 for a stage the pipeline does not have, 404 for no such request (in the
    /// operator's scope).
    private func rerun(requestID: UUID, stage: String, access: OperatorAccess) async throws -> RerunReceipt {
        guard let reruns else { throw HTTPError(.notFound, message: "reruns are not available on this server") }
        do {
            return try await reruns.rerun(requestID: requestID, stage: stage, requestedBy: access.actor, scope: access.scope)
        } catch let error as RerunError {
            throw HTTPError(error.notFound ? .notFound : .badRequest, message: error.description)
        }
    }

    /// An operator's retry of a dead job; 404 when the operator's scope has no such job, 409 when it is not dead
    /// (already revived, or still running).
    private func revive(jobID: Int64, access: OperatorAccess) async throws -> JobQueue.RevivedJob {
        let found: JobQueue.RevivedJob?
        if let jobs {
            found = try await jobs.revive(jobID: jobID, scope: access.scope)
        } else {
            found = try await JobQueue(pool: shared.pool.scoped(access.scope)).revive(jobID: jobID)
        }
        guard let revived = found else {
            guard try await shared.pool.scoped(access.scope).withConnection({ try OpsQueries().jobExists(id: jobID, on: $0) }) else {
                throw HTTPError(.notFound, message: "no job \(jobID)")
            }
            throw HTTPError(.conflict, message: "job \(jobID) is not dead: only a dead job can be revived")
        }
        return revived
    }
}

/// Sorted, ISO-8601 JSON, the shape `runs list --json` prints too.
public enum JSONResponse {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func make(_ value: some Encodable) throws -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: .init(string: String(decoding: try encoder().encode(value), as: UTF8.self)))
        )
    }
}

/// The operator login form.
struct LoginForm: Decodable {
    var token: String
}

/// The body of a rerun: the stage to run again.
struct RerunForm: Decodable {
    let stage: String
}
