import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Lets a request through only with an operator's credential (`OperatorAuthenticator`): the platform key
/// `OPS_TOKEN` or a tenant operator's session token, as `Authorization: Bearer …` or the login cookie. Pages
/// redirect to the login form and API routes answer 401 without one. It records who signed in on the context,
/// refuses every action (any method but GET and HEAD) of a viewer with 403, and logs every use of the platform
/// key, once per request at info, naming the route and never the token.
struct OpsAuthMiddleware<Context: OperatorRequestContext>: RouterMiddleware {
    let authenticator: OperatorAuthenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let found = try await authenticator.authenticate(request) else {
            if request.uri.path.hasPrefix("/api/") {
                throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"], message: "an operator token is required")
            }
            return Response(status: .seeOther, headers: [.location: "/ops/login"])
        }
        let access = found.access
        if access.isPlatformKey { Self.logPlatformKey(request, context: context, source: found.source.rawValue) }
        if !access.mayAct, request.method != .get, request.method != .head {
            throw HTTPError(.forbidden, message: "a viewer can read but not act")
        }
        var context = context
        context.operatorAccess = access
        return try await next(request, context)
    }

    /// One line per request that used `OPS_TOKEN`: the route and where the key came from, never the key.
    static func logPlatformKey(_ request: Request, context: Context, source: String) {
        context.logger.info(
            "OPS_TOKEN used",
            metadata: [
                "credential": "OPS_TOKEN", "route": "\(context.endpointPath ?? request.uri.path)", "method": "\(request.method)",
                "path": "\(request.uri.path)", "via": "\(source)",
            ]
        )
    }
}
