import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` with `100 Continue` as soon as a request's head arrives.
///
/// Hummingbird leaves the expectation unanswered, and clients that send it (curl for any body over 1 MiB,
/// .NET, many HTTP libraries) then wait a second before sending the body: every upload from them took a
/// second longer than it needed to (bench/upload, 10 MB files). Uvicorn and Node answer the same way.
/// Routes still refuse early: an upload whose Content-Length is over its limit, or whose session or CSRF
/// token is wrong, gets its 413 or 403 from the headers without its body being read, and the connection
/// is closed.
final class ExpectContinueHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data),
            let expectation = head.headerFields[.expect],
            expectation.lowercased() == "100-continue"
        else {
            context.fireChannelRead(data)
            return
        }
        head.headerFields[.expect] = nil
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}
