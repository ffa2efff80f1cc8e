public import Hummingbird
public import NIOCore

/// A request context that carries who signed in to the operator pages and API, once `OpsAuthMiddleware` has
/// checked them.
///
/// ```swift
/// pages.get("runs") { _, context in try await runsPage(pool.scoped(try context.requireOperator().scope)) }
/// ```
public protocol OperatorRequestContext: RequestContext {
    /// Set by `OpsAuthMiddleware`; nil on routes it does not guard.
    var operatorAccess: OperatorAccess? { get set }
}

extension OperatorRequestContext {
    /// The signed-in operator; a route the middleware did not guard fails closed (401).
    func requireOperator() throws -> OperatorAccess {
        guard let operatorAccess else {
            throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"], message: "an operator token is required")
        }
        return operatorAccess
    }
}

/// The request context of every route: Hummingbird's basics, the client's address (which the rate limits key
/// sign-in attempts by) and the operator who signed in, if any.
public struct WebRequestContext: OperatorRequestContext, RemoteAddressRequestContext {
    /// Hummingbird's own per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The peer of the connection (nil in router tests, which have no socket).
    public let remoteAddress: SocketAddress?
    /// Set by `OpsAuthMiddleware`.
    public var operatorAccess: OperatorAccess?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.operatorAccess = nil
    }
}
