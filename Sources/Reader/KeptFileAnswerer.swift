import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTPTypes
import SluiceCore
#if canImport(Glibc)
import Glibc
#endif

/// Answers a plain GET of an outbox file kept in memory (`OutboxFileCache`) on the connection's event loop, without
/// handing the request to Hummingbird: a handler's task on another thread and back costs more than the rest of such
/// an answer, which is why the static outbox was slower through the reader than through nginx.
///
/// It takes only what the router and its middleware would answer with the same bytes and headers, and passes on
/// everything else, unchanged and in order:
/// - a GET without validators, range, body or a `Connection` other than `keep-alive`, of a path with no query and no
///   percent sign;
/// - a path the router has already handed to the outbox fallback (`KeptFileAnswers`): routing is decided by the
///   path alone, so that path reaches no route;
/// - with an API key set, carrying it (or a path open without one);
/// - a file whose kept version `lstat` still shows, checked as `StaticPath` checks every file (no link, no `..`);
/// - while no request passed on is unanswered on the connection (pipelined answers keep their order), the channel
///   is writable (a client that does not read is held back by Hummingbird's back-pressure), and the reader is not
///   stopping (a stop's answers are Hummingbird's, with `Connection: close`).
///
/// It sits after Hummingbird's connection state handler (`Installer` puts it there), so requests it answers count for
/// the idle timeout and the quiescing of a stop as any other; and after `AnswerCounter`, which counts them for a stop.
final class KeptFileAnswerer: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let answers: KeptFileAnswers
    /// Requests passed on whose answer's end has not been written yet.
    private var passedOn = 0
    /// The request being taken (its head read, its end not yet), with what answers it.
    private var taken: (kept: OutboxFileCache.Kept, started: ContinuousClock.Instant)?
    private var date = (second: 0, text: "")

    init(answers: KeptFileAnswers) { self.answers = answers }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            let started = ContinuousClock.now
            // While the client is not taking what was written (the channel unwritable), requests go to Hummingbird,
            // whose writer waits and whose inbound buffer then stops reading: the client is held back, not buffered for.
            if passedOn == 0, taken == nil, context.channel.isWritable, let kept = answers.kept(for: head) {
                taken = (kept, started)
                return
            }
            passedOn += 1
            context.fireChannelRead(data)
        case .body:
            if taken == nil { context.fireChannelRead(data) } // a taken request has no body (its head said so)
        case .end:
            guard let (kept, started) = taken else { return context.fireChannelRead(data) }
            taken = nil
            var headers = kept.headers
            headers[.date] = httpDate()
            headers[.server] = answers.serverName
            context.write(wrapOutboundOut(.head(HTTPResponse(status: .ok, headerFields: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(kept.bytes)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            answers.metrics.record(code: 200, seconds: (ContinuousClock.now - started).inSeconds, keptInChannel: true)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), passedOn > 0 { passedOn -= 1 }
        context.write(data, promise: promise)
    }

    /// `Date` as Hummingbird sends it, made once a second.
    private func httpDate() -> String {
        let now = time(nil)
        if now != date.second { date = (now, HTTPCaching.httpDate(now)) }
        return date.text
    }

    /// Puts a `KeptFileAnswerer` right after Hummingbird's connection state handler at the connection's first read
    /// (handlers given to Hummingbird go before that one), then leaves the pipeline.
    final class Installer: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPRequestPart
        private let answers: KeptFileAnswers

        init(answers: KeptFileAnswers) { self.answers = answers }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let pipeline = context.pipeline.syncOperations
            if let state = try? pipeline.context(handlerType: HTTPConnectionStateHandler.self) {
                try? pipeline.addHandler(KeptFileAnswerer(answers: answers), position: .after(state.handler))
            }
            context.fireChannelRead(data)
            pipeline.removeHandler(context: context, promise: nil)
        }
    }
}
