import Hummingbird
import NIOCore
import SluiceCore

/// Builds the reader's JSON answers.
enum JSONResponse {
    /// A 200 carries a strong ETag of its bytes and asks to be revalidated (what it shows changes with any drop); an
    /// error is not kept.
    static func make(_ status: HTTPResponse.Status = .ok, _ bytes: [UInt8]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json", .contentLength: "\(bytes.count)"]
        if status == .ok {
            headers[.eTag] = HTTPCaching.etag(of: bytes)
            headers[.cacheControl] = HTTPCaching.revalidate
        } else {
            headers[.cacheControl] = HTTPCaching.noStore
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A 200 of JSON already encoded, with its ETag (`HTTPCaching.etag(of:)` of these bytes), revalidated.
    static func make(_ bytes: ByteBuffer, etag: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json", .contentLength: "\(bytes.readableBytes)", .eTag: etag,
                                        .cacheControl: HTTPCaching.revalidate],
                 body: ResponseBody(byteBuffer: bytes))
    }

    /// `{"error": message}`
    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var json = JSONWriter()
        json.beginObject(); json.key("error"); json.string(message); json.endObject()
        return make(status, json.bytes)
    }
}
