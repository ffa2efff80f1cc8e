public import Hummingbird

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

/// The daemon's request context: Hummingbird's core storage and the operator who signed in, if any.
public struct WebRequestContext: OperatorRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var operatorAccess: OperatorAccess?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.operatorAccess = nil
    }
}
