public import Foundation

/// Whose rows a unit of database work may see and change.
///
/// `.platform` is the connecting (owner) role, which sees every tenant through the `service_access` policies:
/// the workers, intake from email and the command line, and the operator pages signed in with `OPS_TOKEN`.
/// `.tenant(id)` is the restricted web role `drsocial_web` with `app.tenant_id` set, so row-level security
/// refuses every other tenant's rows whatever the SQL asks for.
///
/// ```swift
/// let rows = try await pool.scoped(.tenant(tenantID)).withConnection { try OpsQueries().recentRuns(on: $0) }
/// ```
public enum DataScope: Sendable, Hashable, CustomStringConvertible {
    /// Every tenant (the connecting role).
    case platform
    /// One tenant, under row-level security as `drsocial_web`.
    case tenant(UUID)

    /// The tenant this scope is limited to; nil for the platform.
    public var tenantID: UUID? {
        switch self {
        case .platform: nil
        case .tenant(let id): id
        }
    }

    public var description: String {
        switch self {
        case .platform: "platform"
        case .tenant(let id): "tenant \(id.uuidString.lowercased())"
        }
    }
}
