public import SluiceCore

/// `outbox/recent-receipts.json`: the newest receipts, each summed up for a person (`IndexPage`): its drop, its
/// status and, when something was refused, the first reason. Rewritten by a pass that commits any request: one file,
/// whatever the catalogue's size.
public enum RecentReceipts {
    /// How many are listed.
    public static let count = 30

    /// `{"receipts": [{"name", "receipt", "id", "received_at", "status", "refused", "results", "error"}]}`, newest first.
    /// `receipt` is its path under `outbox/`; `status` the single status, or the first refusal's in a batch (200 when
    /// none); `refused` how many of a batch's results are not 200; `error` the first refusal's description.
    /// `summaries` keeps what earlier renders read (a committed receipt never changes): each receipt is parsed once,
    /// not at every pass that lists it.
    static func render(_ requests: [RequestRecord], summaries: SummaryCache) -> [UInt8] {
        var json = JSONWriter(capacity: 256 * requests.count + 32)
        json.beginObject()
        json.key("receipts"); json.beginArray()
        for request in requests {
            json.beginObject()
            json.key("name"); json.string(request.name)
            json.key("receipt"); json.string("receipts/" + request.receiptName)
            json.key("id"); json.string(request.id)
            // A receipt over `RequestRecord.summarisedReceiptBytes` (a batch of thousands) comes empty: listed unread.
            let summary = summaries.summary(of: request)
            json.key("received_at"); json.optionalString(summary?.receivedAt)
            json.key("status"); if let status = summary?.status { json.int(status) } else { json.null() }
            json.key("results"); if let results = summary?.results { json.int(results) } else { json.null() }
            json.key("refused"); if let refused = summary?.refused { json.int(refused) } else { json.null() }
            json.key("error"); json.optionalString(summary?.error)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        summaries.prune()
        return json.bytes
    }

    /// Summaries by request id, for the requests the last render listed.
    final class SummaryCache {
        private var kept: [String: Summary?] = [:]
        private var listed: [String] = []

        func summary(of request: RequestRecord) -> Summary? {
            listed.append(request.id)
            if let known = kept[request.id] { return known }
            let summary = request.receipt.isEmpty ? nil : summarise(request.receipt)
            kept[request.id] = summary
            return summary
        }

        /// Forgets what the last render did not list.
        func prune() {
            let keep = Set(listed)
            kept = kept.filter { keep.contains($0.key) }
            listed.removeAll()
        }
    }

    struct Summary {
        var receivedAt: String?
        var status: Int?
        var results: Int?
        var refused = 0
        var error: String?
    }

    /// What a receipt says, read from its JSON; nil when it cannot be read.
    static func summarise(_ receipt: [UInt8]) -> Summary? {
        guard let document = try? JSONParser.parse(receipt) else { return nil }
        var summary = Summary()
        if case let .string(at)? = document["received_at"] { summary.receivedAt = at }
        func reason(_ body: JSONValue?) -> String? {
            if case let .string(text)? = body?["description"] { return text }
            if case let .string(text)? = body?["error"] { return text }
            return nil
        }
        if case let .int(status)? = document["status"] {
            summary.status = status
            if status != 200 { summary.refused = 1; summary.error = reason(document["body"]) }
        } else if case let .array(results)? = document["results"] {
            summary.results = results.count
            summary.status = 200
            for result in results {
                guard case let .int(status)? = result["status"], status != 200 else { continue }
                if summary.refused == 0 { summary.status = status; summary.error = reason(result["body"]) }
                summary.refused += 1
            }
        }
        return summary
    }
}
