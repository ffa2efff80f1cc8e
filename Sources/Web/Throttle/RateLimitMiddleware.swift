import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Refuses requests past their rate with `429` and `Retry-After`, before any route runs.
///
/// - `POST /ops/login` and `/me/sign-in` (token guessing) count against the client's address in `signIn`;
///   so do `/api` calls without the operator token, which are guesses too.
/// - `/api` calls by a signed-in operator count against who they are in `api`: the platform key by its SHA-256
///   (never the key itself), a tenant operator by their user id.
///
/// Portal uploads count against their talent, which only the portal knows once the session is checked:
/// `PortalController` asks `uploads` itself.
struct RateLimitMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    /// Per client address, for sign-in attempts; nil lets them through.
    let signIn: RateLimiter?
    /// Per operator token, for `/api`; nil lets them through.
    let api: RateLimiter?
    /// Tells an operator's API call from a guess.
    let authenticator: OperatorAuthenticator
    /// Where refusals are logged (notice, without secrets).
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if (path == "/ops/login" && request.method == .post) || path == "/me/sign-in" {
            try check(signIn, key: Self.addressKey(context), limit: "sign-in", path: path, json: false)
        } else if path == "/api" || path.hasPrefix("/api/") {
            if let (access, _) = try await authenticator.authenticate(request) {
                try check(api, key: accessKey(access), limit: "api", path: path, json: true)
            } else {
                try check(signIn, key: Self.addressKey(context), limit: "sign-in", path: path, json: true)
            }
        }
        return try await next(request, context)
    }

    /// Throws the 429 when `limiter` refuses `key`.
    private func check(_ limiter: RateLimiter?, key: String, limit: String, path: String, json: Bool) throws {
        try limiter?.check(key, limit: limit, path: path, json: json, logger: logger)
    }

    /// The client's IP address (no port), or `address:unknown` where the transport has none (router tests).
    static func addressKey(_ context: Context) -> String {
        "address:\(context.remoteAddress?.ipAddress ?? "unknown")"
    }

    /// An operator's key: the platform key's hash, or the tenant user's id.
    func accessKey(_ access: OperatorAccess) -> String {
        switch access.holder {
        case .platformKey: Self.tokenKey(authenticator.opsToken)
        case .tenantUser(let userID, _, _): "user:\(userID.uuidString.lowercased())"
        }
    }

    /// A token's key: the first 16 hex digits of its SHA-256, so neither logs nor memory hold the token.
    static func tokenKey(_ token: String) -> String {
        "token:" + SHA256.hash(data: Data(token.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
