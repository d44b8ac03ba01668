import HTTPTypes
import NIOHTTPTypes
import NIOCore

/// Counts each request on its connection from the arrival of its head until its answer's end has been written to
/// the socket (or the connection is gone), so a stop waits for a page being sent to a slow client as it does for a
/// download. It sits in the channel, not around the handlers' bodies, so in-memory answers keep Hummingbird's one
/// write for head, body and end. Once stopping, answers say `Connection: close`.
final class AnswerCounter: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let inFlight: InFlightRequests
    /// One per request whose answer's end is not written yet, oldest first (requests may be pipelined).
    private var tokens: [InFlightRequests.Token] = []

    init(inFlight: InFlightRequests) { self.inFlight = inFlight }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { tokens.append(inFlight.hold()) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case var .head(head) where inFlight.isStopping:
            head.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end where !tokens.isEmpty:
            let token = tokens.removeFirst()
            let written = promise ?? context.eventLoop.makePromise()
            written.futureResult.whenComplete { _ in withExtendedLifetime(token) {} }
            context.write(data, promise: written)
        default:
            context.write(data, promise: promise)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        tokens.removeAll()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { tokens.removeAll() }
}
