import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
@testable import Reader
import Testing

/// `AnswerCounter` on a channel driven by hand: a request counts from its head until its answer's end has been
/// written to the socket (not merely handed over), pipelined requests each count, a closed connection counts no
/// more, and a stopping reader asks clients to close.
@Suite struct AnswerCounterTests {
    let head = HTTPRequestPart.head(HTTPRequest(method: .get, scheme: nil, authority: "x", path: "/page.json"))

    @Test func countsFromTheRequestUntilTheAnswersEndIsWritten() throws {
        let inFlight = InFlightRequests()
        let channel = EmbeddedChannel(handler: AnswerCounter(inFlight: inFlight))
        try channel.writeInbound(head)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeInbound(head) // a second request, pipelined
        #expect(inFlight.count == 2)
        channel.write(HTTPResponsePart.head(HTTPResponse(status: .ok)), promise: nil)
        channel.write(HTTPResponsePart.body(ByteBuffer(string: "{}")), promise: nil)
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.write(HTTPResponsePart.end(nil), promise: written)
        #expect(inFlight.count == 2, "the end is handed over, not written yet")
        channel.flush()
        #expect(inFlight.count == 1, "written: the first answer counts no more")
        try written.futureResult.wait()
        _ = try channel.finish() // the connection closes with the second request unanswered
        #expect(inFlight.count == 0, "a closed connection's request counts no more")
    }

    @Test func aStoppingReaderAsksClientsToClose() throws {
        let inFlight = InFlightRequests()
        let channel = EmbeddedChannel(handler: AnswerCounter(inFlight: inFlight))
        try channel.writeInbound(head)
        inFlight.stop()
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        guard case let .head(sent)? = try channel.readOutbound(as: HTTPResponsePart.self) else { Issue.record("no head"); return }
        #expect(sent.headerFields[.connection] == "close")
        _ = try channel.finish()
    }
}
