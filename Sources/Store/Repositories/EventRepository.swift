public import Foundation

/// The audit and activity stream.
public struct EventRepository: Sendable {
    public init() {}

    /// Appends an event. `tenantID` is nil for events no tenant owns (a refused email).
    public func record(
        kind: String,
        tenantID: UUID?,
        talentID: UUID? = nil,
        postRequestID: UUID? = nil,
        payload: [String: String] = [:],
        on connection: PostgresConnection
    ) throws {
        try connection.query(
            "INSERT INTO events (kind, tenant_id, talent_id, post_request_id, payload_json) VALUES ($1, $2, $3, $4, $5::jsonb)",
            [kind, tenantID, talentID, postRequestID, try PostgresJSON(payload)]
        )
    }
}
