import Foundation
import HTTPTypes
import Hummingbird

/// Lets a request through only with the operators' token: `Authorization: Bearer …` or the login cookie.
/// Pages redirect to the login form; API routes answer 401.
struct OpsAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    static var cookieName: String { "drsocial_ops" }
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.isAuthorised(request, token: token) { return try await next(request, context) }
        if request.uri.path.hasPrefix("/api/") {
            throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"], message: "an operator token is required")
        }
        return Response(status: .seeOther, headers: [.location: "/ops/login"])
    }

    static func isAuthorised(_ request: Request, token: String) -> Bool {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            constantTimeEquals(String(header.dropFirst(7)), token)
        {
            return true
        }
        if let cookie = request.cookies[cookieName], constantTimeEquals(cookie.value, token) { return true }
        return false
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
