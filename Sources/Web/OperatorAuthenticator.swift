import Domain
import Foundation
import Hummingbird
import Store

/// Checks the credential of an operator: the platform key `OPS_TOKEN`, or a tenant operator's session token.
///
/// A session token counts when its `role` claim is an `OperatorRole` and its `sub` is a user of its `tenant_id`
/// (`tenant_users.supabase_user_id`) whose tenant is active. The row is read on every request, under row-level
/// security for that tenant; the role that applies is the lower of the token's and the row's, so a token can
/// narrow what its user may do but never widen it, and a demotion takes effect at the next request.
struct OperatorAuthenticator: Sendable {
    /// Where a credential came from.
    enum Source: String, Sendable {
        case bearer, cookie, form
    }

    /// The platform-wide key (`OPS_TOKEN`).
    let opsToken: String
    /// Verifies session tokens; nil (no `JWT_SECRET`) accepts the platform key alone.
    let sessions: SessionTokens?
    let pool: PostgresPool

    /// The cookie the login form sets: the token the operator signed in with.
    static var cookieName: String { "drsocial_ops" }

    /// The credential a request carries (bearer header first, then the login cookie) and its access; nil when
    /// it carries none that is valid.
    func authenticate(_ request: Request) async throws -> (access: OperatorAccess, source: Source)? {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            if let access = try await authenticate(token: String(header.dropFirst(7))) { return (access, .bearer) }
        }
        if let cookie = request.cookies[Self.cookieName]?.value, !cookie.isEmpty {
            if let access = try await authenticate(token: cookie) { return (access, .cookie) }
        }
        return nil
    }

    /// The access `token` grants, or nil.
    func authenticate(token: String) async throws -> OperatorAccess? {
        if Self.constantTimeEquals(token, opsToken) { return .platform }
        guard let sessions, token.split(separator: ".", omittingEmptySubsequences: false).count == 3,
            let identity = try? await sessions.verify(token),
            let claimed = OperatorRole(rawValue: identity.claimedRole)
        else { return nil }
        let member = try await pool.withTenantTransaction(tenantID: identity.tenantID) { connection in
            try OperatorRepository().member(userID: identity.userID, on: connection)
        }
        guard let member, member.tenantActive, member.tenantID == identity.tenantID else { return nil }
        return .tenantUser(identity.userID, tenant: identity.tenantID, role: min(claimed, member.role))
    }

    /// Where `request` carries the platform key itself, or nil (`/metrics` accepts nothing else).
    func platformKeySource(_ request: Request) -> Source? {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            Self.constantTimeEquals(String(header.dropFirst(7)), opsToken)
        {
            return .bearer
        }
        if let cookie = request.cookies[Self.cookieName], Self.constantTimeEquals(cookie.value, opsToken) { return .cookie }
        return nil
    }

    /// Compares without an early exit, so timing does not reveal how much of a guess was right.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<max(left.count, right.count) {
            difference |= (index < left.count ? left[index] : 0) ^ (index < right.count ? right[index] : 0)
        }
        return difference == 0
    }
}
