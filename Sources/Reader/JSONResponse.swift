import Hummingbird
import NIOCore
import SluiceCore

/// Builds the reader's JSON answers.
enum JSONResponse {
    static func make(_ status: HTTPResponse.Status = .ok, _ bytes: [UInt8]) -> Response {
        Response(status: status, headers: [.contentType: "application/json", .contentLength: "\(bytes.count)"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `{"error": message}`
    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var json = JSONWriter()
        json.beginObject(); json.key("error"); json.string(message); json.endObject()
        return make(status, json.bytes)
    }
}
