import HTTPTypes
import Hummingbird

/// The security headers of every answer, set in one place: `nosniff` and a same-origin referrer policy on
/// everything (error answers included), and on HTML the strict Content-Security-Policy (our own CSS and JS
/// only; `connect-src 'self'` is there for the portal's own XHR uploads with progress and fragment refreshes)
/// and no framing.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return Self.secured(try await next(request, context))
        } catch let error as any HTTPResponseError {
            return Self.secured(try error.response(from: request, context: context))
        }
    }

    static func secured(_ response: Response) -> Response {
        var response = response
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        if response.headers[.contentType]?.hasPrefix("text/html") == true {
            response.headers[.contentSecurityPolicy] = contentSecurityPolicy
            response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        }
        return response
    }
}
