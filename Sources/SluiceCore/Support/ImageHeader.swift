/// Width and height read from an image's header, without decoding it.
public struct ImageHeader: Sendable, Equatable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) { self.width = width; self.height = height }

    /// Reads PNG (IHDR), GIF, WebP (VP8, VP8L, VP8X) and JPEG (SOFn) headers; nil for anything else, or when the
    /// header is not within `b`. A JPEG's segments are walked to its frame header however far it is (EXIF, XMP and
    /// ICC data can take megabytes before it): a step per segment, never a byte at a time.
    public static func read(_ b: [UInt8]) -> ImageHeader? {
        if b.count >= 24, b.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            return ImageHeader(width: be32(b, 16), height: be32(b, 20))
        }
        if b.count >= 10, b.starts(with: Array("GIF8".utf8)) {
            return ImageHeader(width: le16(b, 6), height: le16(b, 8))
        }
        if b.count >= 30, b.starts(with: Array("RIFF".utf8)), Array(b[8..<12]) == Array("WEBP".utf8) {
            switch String(decoding: b[12..<16], as: UTF8.self) {
            case "VP8 " where b[23] == 0x9D && b[24] == 0x01 && b[25] == 0x2A:
                return ImageHeader(width: le16(b, 26) & 0x3FFF, height: le16(b, 28) & 0x3FFF)
            case "VP8L" where b[20] == 0x2F:
                let bits = Int(b[21]) | Int(b[22]) << 8 | Int(b[23]) << 16 | Int(b[24]) << 24
                return ImageHeader(width: (bits & 0x3FFF) + 1, height: ((bits >> 14) & 0x3FFF) + 1)
            case "VP8X":
                return ImageHeader(width: le24(b, 24) + 1, height: le24(b, 27) + 1)
            default:
                return nil
            }
        }
        if b.count >= 4, b[0] == 0xFF, b[1] == 0xD8 {
            var i = 2
            while i + 9 < b.count {
                guard b[i] == 0xFF else { return nil }
                let marker = b[i + 1]
                if marker == 0xFF { i += 1; continue }
                if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue } // no length
                let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
                if (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC {
                    return ImageHeader(width: Int(b[i + 7]) << 8 | Int(b[i + 8]), height: Int(b[i + 5]) << 8 | Int(b[i + 6]))
                }
                guard length >= 2 else { return nil }
                i += 2 + length
            }
        }
        return nil
    }

    private static func be32(_ b: [UInt8], _ i: Int) -> Int {
        Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
    }
    private static func le16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    private static func le24(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 }
}
