import Blobs
import Hummingbird
import Store

/// What every operator controller shares: the database, the blob store, the page templates and the check of
/// operators' credentials, with the few things each of them does the same way.
struct OperatorPages: Sendable {
    let pool: PostgresPool
    let blobs: (any BlobStore)?
    let templates: Templates
    /// Checks operators' credentials (the platform key or a tenant operator's session token).
    let authenticator: OperatorAuthenticator

    /// The routes under `path`, behind the operator check.
    func group<Context: OperatorRequestContext>(_ path: RouterPath, on router: Router<Context>) -> RouterGroup<Context> {
        router.group(path).add(middleware: OpsAuthMiddleware<Context>(authenticator: authenticator))
    }

    /// The pool in the signed-in operator's scope.
    func database(_ context: some OperatorRequestContext) throws -> PostgresPool {
        pool.scoped(try context.requireOperator().scope)
    }

    /// The template `name` filled with `view`.
    func page(_ name: String, _ view: Any) throws -> HTMLResponse {
        HTMLResponse(html: try templates.render(name, view))
    }

    /// A stored picture, kept a day by the operator's browser; 404 with `missing` when nothing is stored.
    func picture(_ path: String?, mime: String, missing: String) async throws -> Response {
        guard let blobs, let path else { throw HTTPError(.notFound, message: missing) }
        return Response(
            status: .ok,
            headers: [.contentType: mime, .cacheControl: "private, max-age=86400", .init("X-Content-Type-Options")!: "nosniff"],
            body: .init(byteBuffer: .init(bytes: try await blobs.read(path)))
        )
    }
}
