import Hummingbird

/// A rendered page, sent with a strict Content-Security-Policy: our own CSS and JS only. `connect-src 'self'`
/// is the one addition to the list: without it `default-src 'none'` blocks the portal's own XHR
/// uploads (with progress) and fragment refreshes.
struct HTMLResponse: ResponseGenerator {
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'"
    let html: String
    var status: HTTPResponse.Status = .ok

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .contentSecurityPolicy: Self.contentSecurityPolicy,
                .init("X-Content-Type-Options")!: "nosniff",
                .init("Referrer-Policy")!: "same-origin",
            ],
            body: .init(byteBuffer: .init(string: html)))
    }
}
