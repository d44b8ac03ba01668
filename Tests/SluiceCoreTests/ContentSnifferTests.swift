import Testing
@testable import SluiceCore

@Suite struct ContentSnifferTests {
    @Test(arguments: [
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0], "image/png", ContentKind.image),
        ([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], "image/jpeg", .image),
        (Array("GIF89a....".utf8), "image/gif", .image),
        (Array("%PDF-1.7\n".utf8), "application/pdf", .application),
        (Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVEfmt ".utf8), "audio/wav", .audio),
        ([0, 0, 0, 0x18] + Array("ftypmp42".utf8), "video/mp4", .video),
        (Array("hello, world\nsecond line ünïcode\n".utf8), "text/plain", .text),
        (Array("<!DOCTYPE html><html></html>".utf8), "text/html", .text),
        (Array("{\"a\": 1}".utf8), "application/json", .application),
        ([0x00, 0x01, 0x02, 0x03, 0xFE, 0xFF], "application/octet-stream", .application),
        ([], "application/x-empty", .other),
    ] as [([UInt8], String, ContentKind)])
    func sniffsFromBytes(bytes: [UInt8], mime: String, kind: ContentKind) {
        let t = ContentSniffer.sniff(bytes)
        #expect(t.mime == mime)
        #expect(t.kind == kind)
    }

    @Test func textCutMidCharacterIsStillText() {
        let bytes = Array(String(repeating: "é", count: 300).utf8).prefix(ContentSniffer.headerLength - 2)
        #expect(ContentSniffer.sniff(Array(bytes) + [0xC3]).kind == .text)
    }
}

@Suite struct FileNameTests {
    @Test func keepsOnlyASafeLastComponent() {
        #expect(FileName.sanitize("../../x") == "x")
        #expect(FileName.sanitize("/etc/passwd") == "passwd")
        #expect(FileName.sanitize("..\\..\\win.ini") == "win.ini")
        #expect(FileName.sanitize("") == nil)
        #expect(FileName.sanitize("..") == nil)
        #expect(FileName.sanitize("  ") == nil)
        #expect(FileName.sanitize("a\u{0}b\nc") == "abc")
        #expect(FileName.sanitize(".hidden") == "hidden")
        let long = FileName.sanitize(String(repeating: "ж", count: 5000))!
        #expect(long.utf8.count <= 255 && long.utf8.count >= 254)
    }

    @Test func extensionsAreShortAndAlphanumeric() {
        #expect(FileName.safeExtension(of: "Report.PDF") == ".pdf")
        #expect(FileName.safeExtension(of: "archive.tar.gz") == ".gz")
        #expect(FileName.safeExtension(of: "x.php%00.jpg") == ".jpg")
        #expect(FileName.safeExtension(of: "noext") == "")
        #expect(FileName.safeExtension(of: ".bashrc") == "")
        #expect(FileName.safeExtension(of: "a.../../x") == "")
    }

    @Test func downloadNamesComeFromTheURLPath() {
        #expect(DownloadName.fromURL("https://h/a/b/report%20final.pdf?x=1#y") == "report final.pdf")
        #expect(DownloadName.fromURL("https://h/") == nil)
        #expect(DownloadName.fromURL("https://h") == nil)
        #expect(DownloadName.fromURL("http://h/%2e%2e%2f%2e%2e%2fetc%2fpasswd") == "passwd")
        #expect(DownloadName.fromURL("https://h/a/b//") == "b", "the last segment that has a name")
        #expect(DownloadName.fromURL("https://h//") == nil)
        #expect(DownloadName.fromURL("https://h?x=/y") == nil, "a query is no path")
        #expect(DownloadName.fromURL("https://h/кот.jpg?a") == "кот.jpg")
        #expect(DownloadName.fromURL("h/a.txt") == nil && DownloadName.fromURL("mailto:x/y") == nil)
    }

    /// Names that are printable ASCII already come back as they are (the fast path), and the slow path still
    /// cleans every other kind.
    @Test func cleanNamesAreKeptAndEveryOtherKindIsCleaned() {
        for clean in ["report.pdf", "a b.txt", "x", "f0.bin", String(repeating: "a", count: 255)] { #expect(FileName.sanitize(clean) == clean) }
        #expect(FileName.sanitize(" lead.txt") == "lead.txt" && FileName.sanitize("trail.txt ") == "trail.txt")
        #expect(FileName.sanitize("del\u{7F}.txt") == "del.txt" && FileName.sanitize("tab\tx") == "tabx")
        #expect(FileName.sanitize(String(repeating: "a", count: 256))?.utf8.count == 255)
        #expect(FileName.sanitize("dir/name") == "name" && FileName.sanitize("...x") == "x")
    }
}
