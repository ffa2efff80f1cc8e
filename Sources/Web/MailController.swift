import Blobs
import Foundation
import Hummingbird
import Store

/// Operator pages for email intake: every message the mailbox held, its routing, refusals in their own list,
/// and the raw message as it arrived.
///
/// The platform key sees every message. A tenant's operator sees only the messages that became their tenant's
/// requests (row-level security on `intake_messages`, migration 0013): a refusal that reached no tenant, or
/// another tenant's mail, is not listed and its raw message is not found.
struct MailController<Context: OperatorRequestContext>: Sendable {
    let shared: OperatorPages

    func addRoutes(to router: Router<Context>) {
        let pages = shared.group("ops/mail", on: router)
        pages.get { request, context in
            try await mailPage(try shared.database(context), outcome: request.uri.queryParameters["outcome"].map(String.init))
        }
        pages.get(":id/raw") { _, context in try await raw(try shared.database(context), id: try context.parameters.require("id", as: UUID.self)) }
        let api = shared.group("api/mail", on: router)
        api.get { request, context in
            try JSONResponse.make(try await messages(try shared.database(context), outcome: request.uri.queryParameters["outcome"].map(String.init)))
        }
    }

    private func messages(_ pool: PostgresPool, outcome raw: String?) async throws -> [IntakeMessageRepository.Message] {
        var outcome: IntakeMessageRepository.Outcome?
        if let raw, !raw.isEmpty {
            guard let parsed = IntakeMessageRepository.Outcome(rawValue: raw) else {
                throw HTTPError(.badRequest, message: "outcome must be ingested, refused or duplicate")
            }
            outcome = parsed
        }
        let chosen = outcome
        return try await pool.withConnection { try IntakeMessageRepository().recent(outcome: chosen, limit: 200, on: $0) }
    }

    private func mailPage(_ pool: PostgresPool, outcome: String?) async throws -> HTMLResponse {
        let list = try await messages(pool, outcome: outcome)
        let view: [String: Any] = [
            "messages": list.map(MailViews.message),
            "hasMessages": !list.isEmpty,
            "title": outcome == "refused" ? "Refused email" : "Email intake",
            "refusedOnly": outcome == "refused",
        ]
        return try shared.page("mail", view)
    }

    /// The message exactly as the server delivered it, as a download (never rendered in the page).
    private func raw(_ pool: PostgresPool, id: UUID) async throws -> Response {
        guard let message = try await pool.withConnection({ try IntakeMessageRepository().message(id: id, on: $0) }) else {
            throw HTTPError(.notFound, message: "no email \(id)")
        }
        guard let blobs = shared.blobs, let path = message.rawPath else {
            throw HTTPError(.notFound, message: "the raw message of \(id) was not kept")
        }
        let data = try await blobs.read(path)
        return Response(
            status: .ok,
            headers: [
                .contentType: "message/rfc822",
                .contentDisposition: "attachment; filename=\"email-\(id.uuidString.lowercased()).eml\"",
                .init("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: .init(bytes: data))
        )
    }
}

/// Turns intake records into what the mail template shows.
enum MailViews {
    static func message(_ message: IntakeMessageRepository.Message) -> [String: Any] {
        [
            "id": message.id.uuidString.lowercased(),
            "received": RunViews.timestamp(message.receivedAt),
            "sender": message.sender ?? "—",
            "subject": message.subject.map { String($0.prefix(100)) } ?? "—",
            "outcome": message.outcome,
            "reason": message.reason ?? "",
            "routes": message.routes.map { ["address": $0.address, "header": $0.header, "decision": $0.decision] },
            "requests": message.postRequestIDs.map { ["id": $0.uuidString.lowercased()] },
            "folder": message.folder,
            "filed": message.filedAt != nil,
            "hasRaw": message.rawPath != nil,
            "duplicateOf": message.duplicateOf?.uuidString.lowercased() ?? "",
        ]
    }
}
