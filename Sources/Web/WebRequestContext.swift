public import Hummingbird
public import NIOCore

/// The request context of every route: Hummingbird's basics plus the client's address, which the rate
/// limits key sign-in attempts by.
public struct WebRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's own per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The peer of the connection (nil in router tests, which have no socket).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
