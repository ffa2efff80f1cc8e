import Hummingbird

/// A rendered page. Its security headers (the strict Content-Security-Policy among them) come from
/// `SecurityHeadersMiddleware`, like every other answer's.
struct HTMLResponse: ResponseGenerator {
    let html: String
    var status: HTTPResponse.Status = .ok
    /// Pages that show a person's own state (the portal) are not kept by caches.
    var noStore = false

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        if noStore { headers[.cacheControl] = "no-store" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: .init(string: html)))
    }

    /// The page as a `Response`, for handlers that return one.
    var plainResponse: Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        if noStore { headers[.cacheControl] = "no-store" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: .init(string: html)))
    }
}
