import Blobs
import Foundation
import Hummingbird
import Store

/// The publisher for operators: paused accounts and why, failed publishes and those whose outcome nobody
/// knows, and the actions on them (pause, resume, retry, settle a check), as pages and as JSON.
///
/// Everything runs in the signed-in operator's scope: a tenant's operator sees and acts on their tenant's
/// accounts and variants only (another tenant's are not found: 404); a viewer's actions never get here (403).
struct PublishController<Context: OperatorRequestContext>: Sendable {
    let shared: OperatorPages

    /// The publisher's operations in the signed-in operator's scope.
    func operations(_ context: Context) throws -> PublishOperations {
        let scoped = try shared.database(context)
        return PublishOperations(pool: scoped, queue: JobQueue(pool: scoped))
    }

    func addRoutes(to router: Router<Context>) {
        let pages = shared.group("ops", on: router)
        pages.get("publishing") { _, context in try await page(try operations(context), mayAct: try context.requireOperator().mayAct) }
        pages.get("publish-attempts/:id/screenshot") { _, context in
            try await screenshot(try shared.database(context), attemptID: try context.parameters.require("id", as: Int64.self))
        }
        // The ops cookie is SameSite=Strict: another site's form cannot post these with it.
        pages.post("accounts/:id/pause") { request, context in
            let form = try await Self.form(request)
            _ = try await act { try await operations(context).pause(accountID: try context.parameters.require("id", as: UUID.self), reason: form["reason"] ?? "") }
            return Self.back()
        }
        pages.post("accounts/:id/resume") { _, context in
            _ = try await act { try await operations(context).resume(accountID: try context.parameters.require("id", as: UUID.self)) }
            return Self.back()
        }
        pages.post("variants/:id/retry-publish") { _, context in
            _ = try await act { try await operations(context).retry(variantID: try context.parameters.require("id", as: UUID.self)) }
            return Self.back()
        }
        pages.post("variants/:id/check") { request, context in
            let form = try await Self.form(request)
            let id = try context.parameters.require("id", as: UUID.self)
            _ = try await act { try await operations(context).settleCheck(variantID: id, foundPostID: form["post_id"], url: form["post_url"]) }
            return Self.back()
        }
        let api = shared.group("api", on: router)
        api.get("accounts") { _, context in try JSONResponse.make(try await operations(context).accounts()) }
        api.get("publishing/troubles") { _, context in try JSONResponse.make(try await operations(context).troubles()) }
        api.post("accounts/:id/pause") { request, context in
            let body = try await Self.json(request)
            return try JSONResponse.make(try await act { try await operations(context).pause(accountID: try context.parameters.require("id", as: UUID.self), reason: body["reason"] ?? "") })
        }
        api.post("accounts/:id/resume") { _, context in
            try JSONResponse.make(try await act { try await operations(context).resume(accountID: try context.parameters.require("id", as: UUID.self)) })
        }
        api.post("variants/:id/retry-publish") { _, context in
            try JSONResponse.make(try await act { try await operations(context).retry(variantID: try context.parameters.require("id", as: UUID.self)) })
        }
        api.post("variants/:id/check") { request, context in
            let body = try await Self.json(request)
            let id = try context.parameters.require("id", as: UUID.self)
            return try JSONResponse.make(try await act { try await operations(context).settleCheck(variantID: id, foundPostID: body["post_id"], url: body["post_url"]) })
        }
    }

    /// Runs an action, turning its refusals into 404 and 409.
    private func act(_ action: () async throws -> PublishOperations.Outcome) async throws -> PublishOperations.Outcome {
        do {
            return try await action()
        } catch let refusal as PublishOperations.Refusal {
            switch refusal {
            case .notFound(let why): throw HTTPError(.notFound, message: why)
            case .conflict(let why): throw HTTPError(.conflict, message: why)
            }
        }
    }

    private static func back() -> Response { Response(status: .seeOther, headers: [.location: "/ops/publishing"]) }

    private static func form(_ request: Request) async throws -> [String: String] {
        let body = try await request.body.collect(upTo: 8 * 1024)
        guard let form = try? URLEncodedFormDecoder().decode([String: String].self, from: String(buffer: body)) else {
            throw HTTPError(.badRequest, message: "expected a form")
        }
        return form
    }

    /// A JSON object of strings; an empty body is an empty object.
    private static func json(_ request: Request) async throws -> [String: String] {
        let body = try await request.body.collect(upTo: 8 * 1024)
        guard body.readableBytes > 0 else { return [:] }
        guard let object = try? JSONDecoder().decode([String: String].self, from: Data(String(buffer: body).utf8)) else {
            throw HTTPError(.badRequest, message: "send a JSON object of strings")
        }
        return object
    }

    private func page(_ operations: PublishOperations, mayAct: Bool) async throws -> HTMLResponse {
        let accounts = try await operations.accounts()
        let troubles = try await operations.troubles()
        let view: [String: Any] = [
            "paused": accounts.filter { $0.status == "paused" }.map(Self.account),
            "hasPaused": accounts.contains { $0.status == "paused" },
            "accounts": accounts.map(Self.account),
            "checks": troubles.filter(\.needsCheck).map(Self.trouble),
            "hasChecks": troubles.contains(where: \.needsCheck),
            "failed": troubles.filter { !$0.needsCheck }.map(Self.trouble),
            "hasFailed": troubles.contains { !$0.needsCheck },
            "mayAct": mayAct,
        ]
        return try shared.page("publishing", view)
    }

    static func account(_ account: PublishOperations.Account) -> [String: Any] {
        var cadence: [String] = []
        if let cap = account.postingSchedule.maxPerDay { cadence.append("\(cap) a day") }
        if let gap = account.postingSchedule.minGapMinutes { cadence.append("\(gap) min apart") }
        return [
            "id": account.id.uuidString.lowercased(), "talent": account.talent, "platform": account.platform, "handle": account.handle,
            "channel": account.channel, "status": account.status, "reason": account.pausedReason ?? "", "waiting": account.waiting,
            "isPaused": account.status == "paused", "isActive": account.status == "active",
            "cadence": cadence.isEmpty ? "—" : cadence.joined(separator: ", "),
        ]
    }

    static func trouble(_ trouble: PublishOperations.Trouble) -> [String: Any] {
        [
            "id": trouble.id.uuidString.lowercased(), "platform": trouble.platform, "handle": trouble.handle, "state": trouble.state,
            "error": trouble.error ?? "", "updated": RunViews.timestamp(trouble.updatedAt),
            "runURL": trouble.postRequestID.map { "/ops/runs/\($0.uuidString.lowercased())" } as Any,
        ]
    }

    /// The screen a failing device step left.
    private func screenshot(_ pool: PostgresPool, attemptID: Int64) async throws -> Response {
        let path = try await pool.withConnection { try OpsQueries().publishScreenshotBlob(attemptID: attemptID, on: $0) }
        return try await shared.picture(path, mime: "image/png", missing: "no screenshot for publish attempt \(attemptID)")
    }
}
