public import Domain
public import Foundation
public import Store

/// Who is signed in to `/ops` and `/api`, and whose rows they may see.
///
/// The platform key `OPS_TOKEN` sees and acts on every tenant (the command line, automation, the platform's own
/// operators). A tenant's operator signs in with a session token for a `tenant_users` row of that tenant: their
/// pages and actions run as the web role under row-level security for that tenant, and a `viewer` only reads.
public struct OperatorAccess: Sendable, Equatable {
    /// Whose credential it is.
    public enum Holder: Sendable, Equatable {
        /// The platform-wide key, `OPS_TOKEN`.
        case platformKey
        /// A tenant's user (`tenant_users.supabase_user_id`) with the role that applies.
        case tenantUser(userID: UUID, tenantID: UUID, role: OperatorRole)
    }

    public let holder: Holder

    /// The platform key's access: every tenant, every action.
    public static let platform = OperatorAccess(holder: .platformKey)

    /// A tenant user's access.
    public static func tenantUser(_ userID: UUID, tenant tenantID: UUID, role: OperatorRole) -> OperatorAccess {
        OperatorAccess(holder: .tenantUser(userID: userID, tenantID: tenantID, role: role))
    }

    /// The rows this operator's queries see.
    public var scope: DataScope {
        switch holder {
        case .platformKey: .platform
        case .tenantUser(_, let tenantID, _): .tenant(tenantID)
        }
    }

    /// False for a viewer: every action answers 403.
    public var mayAct: Bool {
        switch holder {
        case .platformKey: true
        case .tenantUser(_, _, let role): role.mayAct
        }
    }

    /// True for `OPS_TOKEN`, whose every use is logged as such.
    public var isPlatformKey: Bool { holder == .platformKey }

    /// Who acted, for events and logs: `operator` for the platform key, else `operator:<user id>`.
    public var actor: String {
        switch holder {
        case .platformKey: "operator"
        case .tenantUser(let userID, _, _): "operator:\(userID.uuidString.lowercased())"
        }
    }
}
