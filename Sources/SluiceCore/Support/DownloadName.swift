/// The provisional name of a download: the URL path's last segment, percent-decoded and sanitised.
public enum DownloadName {
    public static func fromURL(_ url: String) -> String? {
        var s = Substring(url)
        if let q = s.firstIndex(where: { $0 == "?" || $0 == "#" }) { s = s[..<q] }
        guard let colon = s.firstIndex(of: ":"), s[colon...].hasPrefix("://") else { return nil }
        let afterScheme = s[s.index(colon, offsetBy: 3)...]
        guard let slash = afterScheme.firstIndex(of: "/") else { return nil }
        let path = afterScheme[slash...]
        guard let last = path.split(separator: "/").last else { return nil }
        return FileName.sanitize(PercentEncoding.decode(String(last)) ?? String(last))
    }
}
