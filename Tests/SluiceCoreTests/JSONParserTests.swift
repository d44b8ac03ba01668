import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import SluiceCore

@Suite struct JSONParserTests {
    func parse(_ s: String) throws -> JSONValue { try JSONParser.parse(Array(s.utf8)) }

    func error(_ bytes: [UInt8]) -> String? {
        do { _ = try JSONParser.parse(bytes); return nil } catch { return error.message }
    }

    @Test func parsesObjectsArraysAndScalars() throws {
        let v = try parse(#" {"a": [1, -2.5, true, false, null, "x\n\u00e9\ud83d\ude00"], "b": {}} "#)
        #expect(v["a"] == .array([.int(1), .double(-2.5), .bool(true), .bool(false), .null, .string("x\né😀")]))
        #expect(v["b"] == .object([]))
    }

    @Test func keepsIntegersApartFromNumbers() throws {
        #expect(try parse("[7, 7.0, 1e2]") == .array([.int(7), .double(7), .double(100)]))
    }

    @Test(arguments: [
        ("", "empty document"),
        ("   ", "empty document"),
        ("{", "expected a member name"),
        ("{\"a\":1,}", "expected a member name"),
        ("[1,]", "unexpected character"),
        ("{} x", "unexpected data after"),
        ("{\"a\":1,\"a\":2}", "duplicate member name"),
        ("[01]", "leading zeros"),
        ("[\"\\ud800\"]", "unpaired surrogate"),
        ("[\"a\tb\"]", "unescaped control character"),
        ("[tru]", "invalid literal"),
        ("[\"abc", "unterminated string"),
        ("[1e999]", "number out of range"),
    ])
    func refusesMalformedDocuments(input: String, message: String) {
        let found = error(Array(input.utf8))
        #expect(found?.contains(message) == true, "got \(found ?? "no error")")
    }

    @Test func refusesNonUTF8Bytes() {
        #expect(error([0x5B, 0x22, 0xFF, 0x22, 0x5D])?.contains("invalid UTF-8") == true)
        #expect(error([0x5B, 0x22, 0xC0, 0xAF, 0x22, 0x5D])?.contains("invalid UTF-8") == true) // overlong "/"
        #expect(error([0x5B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x5D])?.contains("invalid UTF-8") == true) // encoded surrogate
    }

    @Test func refusesDeepNestingWithoutRecursingIntoIt() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(error(Array(deep.utf8)) == "nesting deeper than 64 levels")
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(error(Array(ok.utf8)) == nil)
    }

    @Test func reportsTheOffset() {
        do { _ = try JSONParser.parse(Array("{\"a\": x}".utf8)); Issue.record("parsed") } catch { #expect(error.offset == 6) }
    }

    @Test func duplicateNamesAreFoundInLargeObjectsToo() throws {
        let members = (0..<50_000).map { "\"k\($0)\":\($0)" }
        let unique = "{" + members.joined(separator: ",") + "}"
        guard case let .object(parsed) = try parse(unique) else { Issue.record(); return }
        #expect(parsed.count == 50_000)
        let doubled = "{" + members.joined(separator: ",") + ",\"k17\":0}"
        #expect(error(Array(doubled.utf8)) == "duplicate member name \"k17\"")
        #expect(error(Array("{\"a\":1,\"b\":2,\"a\":3}".utf8)) == "duplicate member name \"a\"", "and in small ones")
        // Names compare by code units, whatever the object's size: "é" composed and decomposed are two names.
        let accents = #"{"\u00e9":1,"e\u0301":2}"#
        guard case let .object(small) = try parse(accents) else { Issue.record(); return }
        #expect(small.count == 2)
        let large = "{" + (0..<40).map { "\"n\($0)\":0" }.joined(separator: ",") + #","\u00e9":1,"e\u0301":2}"#
        guard case let .object(big) = try parse(large) else { Issue.record(); return }
        #expect(big.count == 42)
    }
}

@Suite struct JSONWriterTests {
    @Test func escapesAndRoundTrips() throws {
        let tricky = "quote\" back\\ nl\n tab\t bell\u{7} nul\u{0} é 😀 </script>"
        var w = JSONWriter()
        w.beginObject(); w.key("k\""); w.string(tricky); w.key("n"); w.int(-3); w.key("d"); w.double(0.25)
        w.key("a"); w.beginArray(); w.null(); w.bool(true); w.optionalString(nil); w.endArray(); w.endObject()
        let parsed = try JSONParser.parse(w.bytes)
        #expect(parsed == .object([("k\"", .string(tricky)), ("n", .int(-3)), ("d", .double(0.25)), ("a", .array([.null, .bool(true), .null]))]))
    }

    @Test func encodesValuesCompactly() {
        #expect(String(decoding: JSONValue.array([.int(1), .object([("a", .string("b"))])]).encoded, as: UTF8.self) == #"[1,{"a":"b"}]"#)
    }
}

@Suite struct JSONNumberAndTimeTests {
    @Test(arguments: [0, 7, -7, 10, 99, 100, -1_000_000, Int.max, Int.min])
    func writesIntegersAsSwiftPrintsThem(_ value: Int) {
        var w = JSONWriter()
        w.beginArray(); w.int(value); w.int(1); w.endArray()
        #expect(String(decoding: w.bytes, as: UTF8.self) == "[\(value),1]")
    }

    /// The hand-written calendar against the C library's, over leap days, century years and both sides of 1970.
    @Test func writesInstantsAsGmtimeDoes() {
        var seconds: [Int64] = [0, -1, 59, 86_399, 86_400, 951_782_400, 951_868_799, 4_107_542_400, 1_795_000_000, -86_401, 253_402_300_799]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            seconds.append(Int64(state >> 33) % 8_000_000_000 - 2_000_000_000)
        }
        for s in seconds {
            var t = time_t(s)
            var parts = tm()
            gmtime_r(&t, &parts)
            func pad(_ v: Int32, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(v).count)) + String(v) }
            let expected = "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
                + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))Z"
            // The last microsecond of the second (below zero: a negative remainder, rounded down) and its first.
            let stamp = Timestamp(microseconds: s * 1_000_000 + 999_999)
            #expect(stamp.iso8601 == expected, "\(s)")
            #expect(Timestamp(microseconds: s * 1_000_000).iso8601 == expected, "\(s)")
            var w = JSONWriter()
            w.timestamp(stamp)
            #expect(w.bytes == Array("\"\(expected)\"".utf8))
        }
        // Past the calendar's years (a corrupt row): clamped, not a crash.
        #expect(Timestamp(microseconds: .min).iso8601.hasPrefix("0000-") && Timestamp(microseconds: .min).iso8601.count == 20)
        #expect(Timestamp(microseconds: .max).iso8601.hasPrefix("9999-") && Timestamp(microseconds: .max).iso8601.count == 20)
    }
}
