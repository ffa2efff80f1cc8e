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
/// - `/api` calls with the operator token count against the token, by its SHA-256 (never the token), in `api`.
///
/// Portal uploads count against their talent, which only the portal knows once the session is checked:
/// `PortalController` asks `uploads` itself.
struct RateLimitMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    /// Per client address, for sign-in attempts; nil lets them through.
    let signIn: RateLimiter?
    /// Per operator token, for `/api`; nil lets them through.
    let api: RateLimiter?
    /// The operators' token, to tell an API call from a guess.
    let opsToken: String
    /// Where refusals are logged (notice, without secrets).
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if (path == "/ops/login" && request.method == .post) || path == "/me/sign-in" {
            try check(signIn, key: Self.addressKey(context), limit: "sign-in", path: path, json: false)
        } else if path == "/api" || path.hasPrefix("/api/") {
            if OpsAuthMiddleware<Context>.isAuthorised(request, token: opsToken) {
                try check(api, key: Self.tokenKey(opsToken), limit: "api", path: path, json: true)
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

    /// A token's key: the first 16 hex digits of its SHA-256, so neither logs nor memory hold the token.
    static func tokenKey(_ token: String) -> String {
        "token:" + SHA256.hash(data: Data(token.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
