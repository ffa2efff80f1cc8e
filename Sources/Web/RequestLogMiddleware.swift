import Hummingbird
import Logging

/// Logs each request at `debug`: its method and path, never its query string, so a credential carried in a
/// URL (the development sign-in link's `?token=`) never reaches a log. Hummingbird's `LogRequestsMiddleware`
/// logs the whole URI, which is why the daemon uses this one instead.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        context.logger.debug(
            "Request",
            metadata: [
                "hb.request.path": .string(request.uri.path),
                "hb.request.method": .string(request.method.rawValue),
            ]
        )
        return try await next(request, context)
    }
}
