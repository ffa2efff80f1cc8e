/// What a tenant's user (`tenant_users.role`) may do on the operator pages and API.
///
/// Every role reads its own tenant's runs, jobs, events, email and publishing; every role but `viewer` also acts
/// (approve, reject, rerun, revive, pause and resume accounts, retry and settle publishes). A role is ranked so
/// that a session token can only narrow what its user's row allows, never widen it.
public enum OperatorRole: String, Sendable, CaseIterable, Comparable, Codable {
    case viewer
    case `operator`
    case admin
    case owner

    /// True when the role may change anything (all but `viewer`).
    public var mayAct: Bool { self != .viewer }

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .operator: 1
        case .admin: 2
        case .owner: 3
        }
    }

    public static func < (lhs: OperatorRole, rhs: OperatorRole) -> Bool { lhs.rank < rhs.rank }
}
