/// Width and height read from an image's header, without decoding it.
public struct ImageHeader: Sendable, Equatable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) { self.width = width; self.height = height }

    /// Reads PNG (IHDR), GIF and JPEG (SOFn) headers; nil for anything else or a truncated header.
    public static func read(_ b: [UInt8]) -> ImageHeader? {
        if b.count >= 24, b.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            return ImageHeader(width: be32(b, 16), height: be32(b, 20))
        }
        if b.count >= 10, b.starts(with: Array("GIF8".utf8)) {
            return ImageHeader(width: Int(b[6]) | Int(b[7]) << 8, height: Int(b[8]) | Int(b[9]) << 8)
        }
        if b.count >= 4, b[0] == 0xFF, b[1] == 0xD8 {
            var i = 2
            while i + 9 < b.count {
                guard b[i] == 0xFF else { return nil }
                let marker = b[i + 1]
                if marker == 0xFF { i += 1; continue }
                let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
                if (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC {
                    return ImageHeader(width: Int(b[i + 7]) << 8 | Int(b[i + 8]), height: Int(b[i + 5]) << 8 | Int(b[i + 6]))
                }
                i += 2 + length
            }
        }
        return nil
    }

    private static func be32(_ b: [UInt8], _ i: Int) -> Int {
        Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
    }
}
