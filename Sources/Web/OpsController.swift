import Blobs
public import Foundation
import Hummingbird
import Logging
import Store

/// Operator pages and their JSON twins: recent runs, and one run's stages, attachments and variants.
struct OpsController<Context: RequestContext>: Sendable {
    let pool: PostgresPool
    let blobs: (any BlobStore)?
    let templates: Templates
    let opsToken: String
    /// Queues stage reruns; nil leaves the rerun routes and buttons out.
    let reruns: (any StageRerunning)?
    /// Revives dead jobs with their handlers; nil revives them with the queue alone.
    let jobs: (any JobReviving)?

    func addRoutes(to router: Router<Context>) {
        router.get("/ops/login") { _, _ in try loginPage(error: nil) }
        router.post("/ops/login") { request, context in try await login(request, context: context) }
        router.post("/ops/logout") { _, _ in logout() }
        let pages = router.group("ops").add(middleware: OpsAuthMiddleware<Context>(token: opsToken))
        pages.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/ops/runs"]) }
        pages.get("runs") { _, _ in try await runsPage() }
        pages.get("runs/:id") { _, context in try await runPage(id: try context.parameters.require("id", as: UUID.self)) }
        pages.get("attachments/:id/keyframes/:index") { request, context in
            try await keyframe(
                attachmentID: try context.parameters.require("id", as: UUID.self),
                index: try context.parameters.require("index", as: Int.self),
                thumbnail: request.uri.queryParameters["size"] == "thumb"
            )
        }
        pages.get("variants/:id/reel") { _, context in try await reel(queueID: try context.parameters.require("id", as: UUID.self)) }
        // The ops cookie is SameSite=Strict, so another site's form cannot post here with it.
        pages.post("jobs/:id/revive") { _, context -> Response in
            let revived = try await revive(jobID: try context.parameters.require("id", as: Int64.self))
            let back = revived.reopenedRequestID.map { "/ops/runs/\($0.uuidString.lowercased())" } ?? "/ops/runs"
            return Response(status: .seeOther, headers: [.location: back])
        }
        pages.post("runs/:id/rerun") { request, context -> Response in
            let id = try context.parameters.require("id", as: UUID.self)
            let body = try await request.body.collect(upTo: 4 * 1024)
            guard let form = try? URLEncodedFormDecoder().decode(RerunForm.self, from: String(buffer: body)) else {
                throw HTTPError(.badRequest, message: "name the stage to run again (field 'stage')")
            }
            _ = try await rerun(requestID: id, stage: form.stage)
            return Response(status: .seeOther, headers: [.location: "/ops/runs/\(id.uuidString.lowercased())"])
        }
        let api = router.group("api").add(middleware: OpsAuthMiddleware<Context>(token: opsToken))
        api.post("runs/:id/rerun") { request, context -> Response in
            let id = try context.parameters.require("id", as: UUID.self)
            let body = try await request.body.collect(upTo: 4 * 1024)
            guard let form = try? JSONDecoder().decode(RerunForm.self, from: Data(String(buffer: body).utf8)) else {
                throw HTTPError(.badRequest, message: "send {\"stage\": NAME}")
            }
            var response = try JSONResponse.make(try await rerun(requestID: id, stage: form.stage))
            response.status = .accepted
            return response
        }
        api.get("runs") { _, _ in try await runsJSON() }
        api.get("runs/:id") { _, context in try await runJSON(id: try context.parameters.require("id", as: UUID.self)) }
        api.get("jobs/troubled") { _, _ in try await troubledJobsJSON() }
        api.post("jobs/:id/revive") { _, context in
            try JSONResponse.make(try await revive(jobID: try context.parameters.require("id", as: Int64.self)))
        }
    }

    // MARK: Login

    private func loginPage(error: String?) throws -> HTMLResponse {
        HTMLResponse(html: try templates.render("login", ["error": error as Any]), status: error == nil ? .ok : .unauthorized)
    }

    private func login(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 * 1024)
        let form = try? URLEncodedFormDecoder().decode(LoginForm.self, from: String(buffer: body))
        guard let form, OpsAuthMiddleware<Context>.constantTimeEquals(form.token, opsToken) else {
            return try loginPage(error: "That token is not right.").response(from: request, context: context)
        }
        var response = Response(status: .seeOther, headers: [.location: "/ops/runs"])
        response.setCookie(
            Cookie(
                name: OpsAuthMiddleware<Context>.cookieName,
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
        response.setCookie(Cookie(name: OpsAuthMiddleware<Context>.cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    // MARK: Pages

    /// A scene's keyframe (or its thumbnail) as the keyframes stage stored it.
    private func keyframe(attachmentID: UUID, index: Int, thumbnail: Bool) async throws -> Response {
        let path = try await pool.withConnection {
            try OpsQueries().keyframeBlob(attachmentID: attachmentID, index: index, thumbnail: thumbnail, on: $0)
        }
        guard let blobs, let path else { throw HTTPError(.notFound, message: "no keyframe \(index) for attachment \(attachmentID)") }
        return Response(
            status: .ok,
            headers: [.contentType: "image/jpeg", .cacheControl: "private, max-age=86400", .init("X-Content-Type-Options")!: "nosniff"],
            body: .init(byteBuffer: .init(bytes: try await blobs.read(path)))
        )
    }

    /// A variant's composed reel, the file that will publish.
    private func reel(queueID: UUID) async throws -> Response {
        let path = try await pool.withConnection { try OpsQueries().reelBlob(queueID: queueID, on: $0) }
        guard let blobs, let path else { throw HTTPError(.notFound, message: "no reel for variant \(queueID)") }
        return try FileResponse.stream(file: try await blobs.localFile(for: path), mime: "video/mp4")
    }

    private func runsPage() async throws -> HTMLResponse {
        let runs = try await pool.withConnection { try OpsQueries().recentRuns(limit: 100, on: $0) }
        let jobs = try await pool.withConnection { try OpsQueries().troubledJobs(limit: 20, on: $0) }
        let view: [String: Any] = [
            "runs": runs.map(RunViews.summary),
            "hasRuns": !runs.isEmpty,
            "jobs": jobs.map(RunViews.job),
            "hasJobs": !jobs.isEmpty,
            "live": runs.contains { $0.status != "complete" && $0.status != "failed" },
            "publishAlert": try await publishAlert() as Any,
        ]
        return HTMLResponse(html: try templates.render("runs", view))
    }

    /// The banner operators must not miss: paused accounts and publishes waiting for a check.
    private func publishAlert() async throws -> String? {
        let snapshot = try await pool.withConnection { try ClusterStateRepository().snapshot(on: $0) }
        var parts: [String] = []
        if snapshot.pausedAccounts > 0 { parts.append("\(snapshot.pausedAccounts) account\(snapshot.pausedAccounts == 1 ? "" : "s") paused") }
        if snapshot.publishesNeedingCheck > 0 {
            parts.append("\(snapshot.publishesNeedingCheck) publish\(snapshot.publishesNeedingCheck == 1 ? "" : "es") waiting for your check")
        }
        return parts.isEmpty ? nil : parts.joined(separator: " · ") + ": see Publishing"
    }

    private func runPage(id: UUID) async throws -> HTMLResponse {
        guard let detail = try await pool.withConnection({ try OpsQueries().run(requestID: id, on: $0) }) else {
            throw HTTPError(.notFound, message: "no post request \(id)")
        }
        var view = RunViews.detail(detail, rerunnable: reruns?.stageNames ?? [])
        if let message = try await pool.withConnection({ try IntakeMessageRepository().message(postRequestID: id, on: $0) }) {
            view["email"] = MailViews.message(message)
        }
        return HTMLResponse(html: try templates.render("run", view))
    }

    // MARK: JSON

    private func runsJSON() async throws -> Response {
        try JSONResponse.make(try await pool.withConnection { try OpsQueries().recentRuns(limit: 100, on: $0) })
    }

    private func runJSON(id: UUID) async throws -> Response {
        guard let detail = try await pool.withConnection({ try OpsQueries().run(requestID: id, on: $0) }) else {
            throw HTTPError(.notFound, message: "no post request \(id)")
        }
        return try JSONResponse.make(detail)
    }

    private func troubledJobsJSON() async throws -> Response {
        try JSONResponse.make(try await pool.withConnection { try OpsQueries().troubledJobs(limit: 100, on: $0) })
    }

    // MARK: Actions

    /// Queues a rerun from `stage`: 400 for a stage the pipeline does not have, 404 for no such request.
    private func rerun(requestID: UUID, stage: String) async throws -> RerunReceipt {
        guard let reruns else { throw HTTPError(.notFound, message: "reruns are not available on this server") }
        do {
            return try await reruns.rerun(requestID: requestID, stage: stage, requestedBy: "operator")
        } catch let error as RerunError {
            throw HTTPError(error.notFound ? .notFound : .badRequest, message: error.description)
        }
    }

    /// An operator's retry of a dead job; 409 when the job is not dead (already revived, or still running).
    private func revive(jobID: Int64) async throws -> JobQueue.RevivedJob {
        let found: JobQueue.RevivedJob?
        if let jobs { found = try await jobs.revive(jobID: jobID) } else { found = try await JobQueue(pool: pool).revive(jobID: jobID) }
        guard let revived = found else {
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
