import Logging
import NIOCore
import NIOHTTPTypes

/// Closes connections whose client is too slow to send its request: a head that does not arrive whole within
/// the header timeout (slowloris), or a body that advances too little while the server waits for it
/// (slow-body attacks). The rules are `SlowClientTimer`'s; this handler feeds it the channel's events.
///
/// It sits after the HTTP decoder, so it sees whole heads, body chunks as they arrive, the ends of responses,
/// and the server's read requests, which stop while the server is behind (back-pressure): a slow consumer on
/// our side never makes a client look slow.
final class SlowClientHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var timer: SlowClientTimer
    private var scheduled: Scheduled<Void>?
    private var started = false
    private let logger: Logger

    /// - Parameters:
    ///   - configuration: The timeouts.
    ///   - logger: Where closed connections are logged (debug: a flood must not flood the log).
    init(configuration: WebConfiguration.SlowClients, logger: Logger) {
        self.timer = SlowClientTimer(
            headerTimeout: TimeAmount(configuration.headerTimeout),
            bodyTimeout: TimeAmount(configuration.bodyTimeout),
            minimumBodyBytes: configuration.minimumBodyBytes
        )
        self.logger = logger
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    // MARK: Events

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = NIODeadline.now()
        switch unwrapInboundIn(data) {
        case .head: apply(timer.receivedHead(now: now), context)
        case .body(let buffer): apply(timer.receivedBody(bytes: buffer.readableBytes, now: now), context)
        case .end: apply(timer.receivedEnd(now: now), context)
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        timer.readCompleted()
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        apply(timer.readRequested(now: .now()), context)
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { apply(timer.respondedEnd(now: .now()), context) }
        context.write(data, promise: promise)
    }

    // MARK: Timer

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        apply(timer.connected(now: .now()), context)
    }

    private func apply(_ action: SlowClientTimer.Action, _ context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .cancel:
            disarm()
        case .schedule(let deadline):
            disarm()
            scheduled = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
                scheduled = nil
                apply(timer.timerFired(now: .now()), context)
            }
        case .close(let reason):
            disarm()
            logger.debug(
                "closing a connection whose client is too slow",
                metadata: ["reason": "\(reason.rawValue)", "peer": "\(context.channel.remoteAddress?.description ?? "unknown")"]
            )
            context.close(promise: nil)
        }
    }

    private func disarm() {
        scheduled?.cancel()
        scheduled = nil
    }
}

@available(*, unavailable)
extension SlowClientHandler: Sendable {}
