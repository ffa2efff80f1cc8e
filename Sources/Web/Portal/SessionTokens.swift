import Crypto
public import Foundation
import JWTKit

/// Who a request comes from, from a verified session token.
public struct PortalIdentity: Sendable, Equatable {
    public enum Role: String, Sendable { case talent, `operator` }
    /// The user (`sub`): a talent's `owner_user_id`, or an operator.
    public let userID: UUID
    public let tenantID: UUID
    public let role: Role
    /// The `role` claim as the token carries it (`authenticated`, or an `OperatorRole` such as `viewer`).
    public let claimedRole: String
    /// The raw token, which the CSRF token is bound to.
    public let token: String
}

/// The session token's claims: Supabase-style (`sub`, `tenant_id`, `role`, `exp`, `aud`, optional `nbf`, `iat`).
struct SessionClaims: JWTPayload {
    var sub: SubjectClaim
    var tenant_id: String
    var role: String
    var exp: ExpirationClaim
    var aud: AudienceClaim
    var nbf: NotBeforeClaim?
    var iat: IssuedAtClaim?

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        try nbf?.verifyNotBefore()
        try aud.verifyIntendedAudience(includes: SessionTokens.audience)
    }
}

/// Verifies and mints HS256 session tokens with `JWT_SECRET`, and derives the CSRF token bound to a session.
///
/// Only HS256 is accepted: the header's `alg` is checked before anything else, so `none`, RS256 (HS/RS
/// confusion) and every other algorithm are refused whatever the key collection would do with them.
public struct SessionTokens: Sendable {
    /// The `aud` every token must carry (Supabase's default for signed-in users).
    public static let audience = "authenticated"

    private let keys: JWTKeyCollection
    private let secret: SymmetricKey

    /// Builds the verifier for `secret` (`JWT_SECRET`, at least 32 characters).
    public static func make(secret: String) async throws -> SessionTokens {
        guard secret.utf8.count >= 32 else { throw SessionError.weakSecret }
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return SessionTokens(keys: keys, secret: SymmetricKey(data: Array(secret.utf8)))
    }

    private init(keys: JWTKeyCollection, secret: SymmetricKey) {
        self.keys = keys
        self.secret = secret
    }

    /// The identity a token proves, or why not.
    public func verify(_ token: String) async throws -> PortalIdentity {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[2].isEmpty else { throw SessionError.malformed }
        struct Header: Decodable { var alg: String? }
        guard let headerData = Self.base64URLDecode(String(parts[0])),
            let header = try? JSONDecoder().decode(Header.self, from: headerData)
        else { throw SessionError.malformed }
        guard header.alg == "HS256" else { throw SessionError.algorithm(header.alg ?? "missing") }
        let claims: SessionClaims
        do {
            claims = try await keys.verify(token, as: SessionClaims.self)
        } catch let error as JWTError {
            throw SessionError.rejected("\(error.errorType)")
        } catch {
            throw SessionError.rejected("\(error)")
        }
        guard let userID = UUID(uuidString: claims.sub.value), let tenantID = UUID(uuidString: claims.tenant_id) else {
            throw SessionError.rejected("sub and tenant_id must be UUIDs")
        }
        let role: PortalIdentity.Role = (claims.role == "operator" || claims.role == "admin") ? .operator : .talent
        return PortalIdentity(userID: userID, tenantID: tenantID, role: role, claimedRole: claims.role, token: token)
    }

    /// Mints a token (the `token` command and tests).
    public func mint(userID: UUID, tenantID: UUID, role: String, lifetime: TimeInterval, notBefore: Date? = nil) async throws -> String {
        let now = Date()
        let claims = SessionClaims(
            sub: .init(value: userID.uuidString.lowercased()),
            tenant_id: tenantID.uuidString.lowercased(),
            role: role,
            exp: .init(value: now.addingTimeInterval(lifetime)),
            aud: .init(value: [Self.audience]),
            nbf: notBefore.map { .init(value: $0) },
            iat: .init(value: now)
        )
        return try await keys.sign(claims)
    }

    /// The CSRF token for a session: an HMAC of the session token, so it cannot be guessed or reused by
    /// another session, and needs no storage.
    public func csrfToken(for identity: PortalIdentity) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("csrf:\(identity.token)".utf8), using: secret)
        return Data(code).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Compares in constant time.
    public func checkCSRF(_ presented: String?, for identity: PortalIdentity) -> Bool {
        guard let presented else { return false }
        let expected = Array(csrfToken(for: identity).utf8)
        let given = Array(presented.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func base64URLDecode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}

public enum SessionError: Error, Equatable, CustomStringConvertible {
    case weakSecret
    case missing
    case malformed
    case algorithm(String)
    case rejected(String)

    public var description: String {
        switch self {
        case .weakSecret: "JWT_SECRET must be at least 32 characters"
        case .missing: "sign in first: no session token"
        case .malformed: "the session token is not a JWT"
        case .algorithm(let alg): "session tokens must be HS256, not \(alg)"
        case .rejected(let why): "the session token was refused (\(why))"
        }
    }
}
